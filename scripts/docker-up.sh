#!/usr/bin/env bash
# Makes sure a Docker engine answers; starts dockerd in the background when none does.
# Prints nothing on success unless it had to start one.
set -euo pipefail
sock=${DOCKER_HOST:-unix:///var/run/docker.sock}
if timeout 10 docker info >/dev/null 2>&1; then exit 0; fi
case "$sock" in
  unix://*) ;;
  *) echo "docker-up: DOCKER_HOST=$sock does not answer and is not a local socket" >&2; exit 1 ;;
esac
command -v dockerd >/dev/null || { echo "docker-up: dockerd is not installed (apt-get install docker.io)" >&2; exit 1; }
echo "docker-up: no engine answers; starting dockerd (log: /var/log/labkeeper-dockerd.log)"
nohup dockerd >/var/log/labkeeper-dockerd.log 2>&1 &
for _ in $(seq 1 120); do
  if timeout 5 docker info >/dev/null 2>&1; then echo "docker-up: engine ready"; exit 0; fi
  sleep 0.5
done
echo "docker-up: dockerd did not become ready in 60 s; last log lines:" >&2
tail -20 /var/log/labkeeper-dockerd.log >&2
exit 1
