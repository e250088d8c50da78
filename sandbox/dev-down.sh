#!/bin/bash
# dev-down.sh [STATE_DIR] — stop what dev-up.sh started, by pid only: each instance's nsinit (which
# kills everything in its namespace), then awsd. Safe to run twice.
set -uo pipefail
STATE=${1:-/tmp/eicsandbox-dev}
for pidfile in "$STATE"/instances/*/run/holder.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
done
if [ -f "$STATE/awsd.pid" ]; then
    kill -TERM "$(cat "$STATE/awsd.pid")" 2>/dev/null
    rm -f "$STATE/awsd.pid"
fi
# wait (briefly) until the instances are gone
for _ in $(seq 1 50); do
    left=0
    for pidfile in "$STATE"/instances/*/run/holder.pid; do [ -f "$pidfile" ] && left=1; done
    [ "$left" -eq 0 ] && break
    sleep 0.1
done
exit 0
