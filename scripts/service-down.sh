#!/usr/bin/env bash
# Stops the controller scripts/service-up.sh started (the systemd service, or the background
# process of /run/labkeeper/labkeeper.pid); labs stay up. Nothing to stop is no error.
set -euo pipefail
pidfile=/run/labkeeper/labkeeper.pid
if [ -d /run/systemd/system ] && systemctl is-active --quiet labkeeper 2>/dev/null; then
  systemctl stop labkeeper
  echo "service-down: stopped the systemd service labkeeper"
  exit 0
fi
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
# Only a labkeeper controller: a stale pid file may name a process that is something else now.
if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "labkeeper run"; then
  kill -TERM "$pid"
  for _ in $(seq 1 90); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  echo "service-down: stopped labkeeper run (pid $pid)"
fi
rm -f "$pidfile"
