#!/bin/bash
# hostprep.sh [--undo] — once per host, before the first instance starts (needs root).
# A bind mount needs an existing target, so create the (empty) paths the instances mount over, plus
# sshd's privilege-separation directory. Each path created is listed in /var/lib/eicsandbox.created;
# --undo removes those again (only if still empty), so a host can be left as it was found.
set -euo pipefail
LIST=/var/lib/eicsandbox.created
dirs=(/opt/aws /usr/share/ec2-instance-connect /var/lib/eicsandbox /run/sshd
      /lib/systemd/system/ssh.service.d /lib/systemd/system/sshd.service.d
      /etc/systemd/system/ssh.service.d /etc/systemd/system/sshd.service.d)
files=(/usr/bin/yum /usr/bin/dnf /usr/bin/rpm)   # empty, mode 0644: not runnable, so not "installed" on the host
if [ "${1:-}" = --undo ]; then
    [ -f "$LIST" ] || exit 0
    tac "$LIST" | while IFS= read -r path; do
        if [ -d "$path" ]; then rmdir "$path" 2>/dev/null || true
        elif [ -f "$path" ] && [ ! -s "$path" ]; then rm -f "$path"; fi
    done
    rm -f "$LIST"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "hostprep.sh: needs root" >&2; exit 1; }
for d in "${dirs[@]}"; do
    if [ ! -e "$d" ]; then mkdir -p "$d"; echo "$d" >> "$LIST"; fi
done
chmod 0755 /run/sshd
for f in "${files[@]}"; do
    if [ ! -e "$f" ]; then : > "$f"; chmod 0644 "$f"; echo "$f" >> "$LIST"; fi
done
# A system sshd on 0.0.0.0:22 (or [::]:22) would take port 22 from every instance address.
if command -v ss >/dev/null && ss -ltnH 'sport = :22' | awk '{print $4}' | grep -Eq '^(0\.0\.0\.0|\*|\[::\]):22$'; then
    echo "hostprep.sh: something listens on port 22 of all addresses; stop it (sandbox instances need 127.x.y.z:22)" >&2
    exit 1
fi
