#!/usr/bin/env bash
# Leaves `labkeeper run --dir DIR [FLAGS...]` running: as a systemd service
# (packaging/labkeeper.service, flags in /etc/default/labkeeper) where systemd is PID 1, else in
# the background with a pid file (/run/labkeeper/labkeeper.pid) and a log
# (/var/log/labkeeper.log). One already running is restarted (a new binary, another directory).
# Returns once the controller answers /readyz (its first pass over every lab is done).
set -euo pipefail
dir=$(realpath "${1:?usage: service-up.sh LAB_DIR [labkeeper run flags...]}")
shift
cd "$(dirname "$0")/.."
listen=127.0.0.1:9580
prev=""
for a in "$@"; do
  [ "$prev" = "--listen" ] && listen=$a
  prev=$a
done
pidfile=/run/labkeeper/labkeeper.pid log=/var/log/labkeeper.log
if [ -d /run/systemd/system ]; then
  install -m 0644 packaging/labkeeper.service /etc/systemd/system/labkeeper.service
  printf 'LABKEEPER_DIR=%s\nLABKEEPER_ARGS="%s"\n' "$dir" "$*" >/etc/default/labkeeper
  systemctl daemon-reload
  systemctl enable labkeeper >/dev/null 2>&1
  systemctl restart labkeeper
  how="as the systemd service labkeeper (systemctl status labkeeper, journalctl -u labkeeper)"
else
  bash scripts/service-down.sh >/dev/null
  mkdir -p /run/labkeeper
  # A session of its own: the shell that started it may end, and its signals are not the controller's.
  setsid labkeeper run --dir "$dir" --state-dir /run/labkeeper "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  how="in the background, pid $(cat "$pidfile") in $pidfile, log $log (stop it: bash scripts/service-down.sh)"
fi
for _ in $(seq 1 300); do
  if curl -fsS "http://$listen/readyz" >/dev/null 2>&1; then
    echo "service-up: labkeeper run --dir $dir runs $how"
    exit 0
  fi
  if [ -f "$pidfile" ] && [ ! -d /run/systemd/system ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "service-up: labkeeper run ended; the end of $log:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  sleep 1
done
echo "service-up: labkeeper run does not answer http://$listen/readyz after 300 s; see $log" >&2
exit 1
