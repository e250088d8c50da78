#!/bin/bash
# start.sh ROOTDIR IP — start one sandbox instance prepared by mkroot.sh.
# Runs nsinit.sh in a new private mount namespace, detached from the caller (own session, stdio to
# ROOTDIR/run/nsinit.log), waits until it has written its pid, and prints that pid: the instance's
# long-lived process; `kill -TERM PID` stops the instance and everything in it. It does not wait for
# sshd: ROOTDIR/run/sshd.pid appears once sshd listens on IP:22 (or wait with a TCP connect).
set -euo pipefail
[ "$#" -eq 2 ] || { echo "usage: $0 ROOTDIR IP" >&2; exit 2; }
ROOTDIR=$(cd "$1" && pwd)
IP=$2
HERE=$(cd "$(dirname "$0")" && pwd)
case "$IP" in 127.*) ;; *) echo "start.sh: $IP is not a loopback address" >&2; exit 2 ;; esac
[ -f "$ROOTDIR/run/instance.env" ] && [ -f "$ROOTDIR/known_hosts_line" ] || { echo "start.sh: $ROOTDIR was not made by mkroot.sh" >&2; exit 2; }
if [ -f "$ROOTDIR/run/holder.pid" ] && kill -0 "$(cat "$ROOTDIR/run/holder.pid")" 2>/dev/null; then
    echo "start.sh: $ROOTDIR is already running (pid $(cat "$ROOTDIR/run/holder.pid"))" >&2; exit 1
fi
rm -f "$ROOTDIR/run/holder.pid" "$ROOTDIR/run/sshd.pid" "$ROOTDIR/run/sshd.failed" "$ROOTDIR/run/booted"
setsid unshare --mount --propagation private -- "$HERE/nsinit.sh" "$ROOTDIR" "$IP" \
    </dev/null >>"$ROOTDIR/run/nsinit.log" 2>&1 &
launcher=$!
for _ in $(seq 1 200); do
    if [ -s "$ROOTDIR/run/holder.pid" ]; then cat "$ROOTDIR/run/holder.pid"; exit 0; fi
    if ! kill -0 "$launcher" 2>/dev/null && [ ! -s "$ROOTDIR/run/holder.pid" ]; then
        echo "start.sh: instance failed to start: $(tail -n 3 "$ROOTDIR/run/nsinit.log")" >&2; exit 1
    fi
    sleep 0.05
done
echo "start.sh: no pid from nsinit after 10 s (see $ROOTDIR/run/nsinit.log)" >&2
exit 1
