#!/bin/bash
# Entrypoint of the local FRR stand-in, as the upstream image's docker-start: start the daemons
# enabled in /etc/frr/daemons under watchfrr, then stay in the foreground until stopped.
set -e
mkdir -p /var/run/frr && chown frr:frr /var/run/frr
/usr/lib/frr/frrinit.sh start
trap '/usr/lib/frr/frrinit.sh stop; exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
