#!/bin/bash
# The long-lived process of one sandbox instance; start.sh runs it as
#   unshare --mount --propagation private -- nsinit.sh ROOTDIR IP
# so it is the first process of the instance's private mount namespace. It
#   1. bind-mounts the instance's files (made by mkroot.sh) over the system paths, inside the namespace
#      only (propagation private: the host and the other instances never see them);
#   2. supervises the instance's sshd the way systemd supervises ssh(d).service: starts it with the
#      drop-ins' ExecStart -o options, starts it again when `systemctl restart` asks, marks the unit
#      failed when sshd dies on its own or does not pass `sshd -t`;
#   3. on SIGTERM (sandbox down), kills every process of its namespace (sshd, sessions, sudo, ...),
#      found by namespace identity, not by name, then exits; the mounts vanish with the namespace.
set -u
ROOTDIR=$1
IP=$2
HERE=$(cd "$(dirname "$0")" && pwd)

fail() { echo "nsinit: $*" >&2; exit 1; }

# ------------------------------------------------------------------ 1. mounts
bind() {  # bind SOURCE TARGET
    mount --bind "$1" "$2" || fail "cannot bind $1 over $2 (run sandbox/instance/hostprep.sh once)"
}
for path in etc/os-release etc/passwd etc/shadow etc/group etc/sudoers etc/sudoers.d etc/ssh home \
    opt/aws usr/share/ec2-instance-connect \
    lib/systemd/system/ssh.service.d lib/systemd/system/sshd.service.d \
    etc/systemd/system/ssh.service.d etc/systemd/system/sshd.service.d; do
    bind "$ROOTDIR/$path" "/$path"
done
bind "$ROOTDIR/run" /var/lib/eicsandbox

RUN=/var/lib/eicsandbox
. "$RUN/instance.env"
# Tool stand-ins over the real paths (sudo's secure_path would skip anything earlier on PATH). A tool
# the distro does not have gets an empty, non-executable file, so `command -v` does not find it.
if [ "$FAMILY" = al2 ]; then
    for tool in yum rpm systemctl; do bind "$HERE/standins/$tool" "/usr/bin/$tool"; done
    for tool in apt-get apt dpkg-query dpkg; do bind "$HERE/standins/absent" "/usr/bin/$tool"; done
    # /usr/bin/dnf is hostprep's empty, non-executable placeholder: absent, as on Amazon Linux 2.
elif [ "$FAMILY" = al2023 ] || [ "$FAMILY" = el ]; then
    # dnf; yum is dnf there too (a symlink to dnf-3), so the dnf stand-in answers both.
    for tool in dnf yum; do bind "$HERE/standins/dnf" "/usr/bin/$tool"; done
    for tool in rpm systemctl; do bind "$HERE/standins/$tool" "/usr/bin/$tool"; done
    for tool in apt-get apt dpkg-query dpkg; do bind "$HERE/standins/absent" "/usr/bin/$tool"; done
else
    for tool in apt-get dpkg-query dpkg systemctl; do bind "$HERE/standins/$tool" "/usr/bin/$tool"; done
    bind "$HERE/standins/apt-get" /usr/bin/apt
    # /usr/bin/yum, /usr/bin/dnf and /usr/bin/rpm are hostprep's empty, non-executable placeholders: absent, as on Ubuntu.
fi

echo "$$" > "$RUN/holder.pid"

# ------------------------------------------------------------------ 3. shutdown
stopping=0
shutdown() {
    stopping=1
    local pid
    [ -z "${child:-}" ] || kill -TERM "$child" 2>/dev/null
    # Everything else in this mount namespace (sessions, sudo, stand-ins): `-ef` compares the
    # namespace inodes without a fork per process, which matters with 200 instances stopping at once.
    for pid in /proc/[0-9]*; do
        pid=${pid#/proc/}
        [ "$pid" = "$$" ] && continue
        [ "/proc/$pid/ns/mnt" -ef /proc/self/ns/mnt ] && kill -KILL "$pid" 2>/dev/null
    done
    wait  # reap our own children (sshd), so no zombie is left to an init that may not reap
    rm -f "$RUN/sshd.pid" "$RUN/sshd.main" "$RUN/holder.pid"
    exit 0
}
trap shutdown TERM INT HUP

# ------------------------------------------------------------------ 2. supervision
. "$HERE/lib.sh"
# An image that comes with the package: installed once, at first boot, by the stand-ins' own routine.
if [ -n "${PACKAGE_PREINSTALLED:-}" ] && [ ! -s "$RUN/pkg/$PKG" ]; then
    if ! install_package "$PACKAGE_PREINSTALLED"; then  # the orchestrator reads sshd.failed as "did not start"
        echo "nsinit: preinstalling $PKG $PACKAGE_PREINSTALLED failed" >&2
        : > "$RUN/sshd.failed"; : > "$RUN/sshd.disabled"
    fi
fi
daemon_reload  # what systemd loaded at boot
: > "$RUN/booted"  # the orchestrator waits for this (and, where sshd runs, for sshd.pid) before it hands over
while :; do
    if [ -e "$RUN/sshd.disabled" ]; then
        sleep 1 & wait $!
        continue
    fi
    rm -f "$RUN/sshd.pid" "$RUN/sshd.restart"
    mapfile -t extra < "$RUN/execstart.args"
    base=(-o "PidFile=$RUN/sshd.pid" -o "ListenAddress=$IP:22")
    # ExecStartPre=/usr/sbin/sshd -t (Ubuntu), then ExecStart; a failure marks the unit failed.
    if ! /usr/sbin/sshd -t "${base[@]}" "${extra[@]}" 2>> "$RUN/sshd.log"; then
        : > "$RUN/sshd.failed"; : > "$RUN/sshd.disabled"
        continue
    fi
    /usr/sbin/sshd -D -E "$RUN/sshd.log" "${base[@]}" "${extra[@]}" 2>> "$RUN/sshd.log" &
    child=$!
    echo "$child" > "$RUN/sshd.main"
    wait "$child"
    while kill -0 "$child" 2>/dev/null; do wait "$child"; done  # wait returns early on trapped signals
    rm -f "$RUN/sshd.main"
    [ "$stopping" -eq 0 ] || break
    if [ -e "$RUN/sshd.restart" ]; then
        continue  # systemctl restart: start it again
    fi
    # sshd exited on its own (killed, or could not bind): Restart=on-failure does not restart exit 255.
    : > "$RUN/sshd.failed"; : > "$RUN/sshd.disabled"
done
