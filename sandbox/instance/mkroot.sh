#!/bin/bash
# mkroot.sh ROOTDIR FLEET_PUBKEY_FILE
#
# Builds one sandbox instance's file tree under ROOTDIR; start.sh bind-mounts it over the system paths
# inside the instance's own mount namespace. `eicsetup sandbox up` writes ROOTDIR/run/instance.env first
# (the instance's identity, its row of sandbox/personalities.tsv and its image's image.env) and nothing
# else may be in ROOTDIR yet. The distribution's files come from images/$IMAGE/; this script only adds
# what is per instance: users, sudo rules, the fleet key, a host key, the personality's quirks. The
# package of a row with a `package` version is installed at first boot by nsinit.sh, with the same
# routine as the stand-ins' `yum/apt-get install` (lib.sh). Cheap on purpose (one ssh-keygen, no
# package manager, no python): 200 of these must fit in well under a minute.
#
# Files for the orchestrator:
#   ROOTDIR/known_hosts_line         "IP ssh-ed25519 AAAA..." — the line for the known_hosts handed out.
#                                    With HOST_KEY=replaced it is a DIFFERENT key than the one sshd
#                                    presents (as after a rebuild); the real one is in
#   ROOTDIR/actual_known_hosts_line  (every instance has it).
# See sandbox/README.md for the personalities.
set -euo pipefail
umask 022

[ "$#" -eq 2 ] || { echo "usage: $0 ROOTDIR FLEET_PUBKEY_FILE (ROOTDIR holding only run/instance.env)" >&2; exit 2; }
R=$1 FLEET_PUBKEY_FILE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
fail() { echo "mkroot.sh: $*" >&2; exit 2; }

[ -r "$R/run/instance.env" ] || fail "no $R/run/instance.env (the orchestrator writes it first)"
[ "$(ls -A "$R")" = run ] && [ "$(ls -A "$R/run")" = instance.env ] || fail "$R holds more than run/instance.env"
[ -r "$FLEET_PUBKEY_FILE" ] || fail "cannot read $FLEET_PUBKEY_FILE"
# shellcheck source=/dev/null
. "$R/run/instance.env"
case "$IP" in 127.*) ;; *) fail "$IP is not a loopback address" ;; esac
case "$INSTANCE_ID" in i-[0-9a-f]*) ;; *) fail "bad instance id $INSTANCE_ID" ;; esac
IMAGE_DIR=$HERE/images/$IMAGE
[ -r "$IMAGE_DIR/os-release" ] && [ -r "$IMAGE_DIR/sshd_config" ] || fail "image $IMAGE lacks os-release or sshd_config"

# ------------------------------------------------------------------------ tree
mkdir -p "$R"/etc/ssh "$R"/etc/sudoers.d "$R"/home "$R"/opt/aws/bin "$R"/usr/share/ec2-instance-connect \
    "$R"/lib/systemd/system/ssh.service.d "$R"/lib/systemd/system/sshd.service.d \
    "$R"/etc/systemd/system/ssh.service.d "$R"/etc/systemd/system/sshd.service.d \
    "$R"/run/pkg "$R/home/$LOGIN_USER/.ssh"
# sshd refuses an AuthorizedKeysCommand (and authorized_keys) on a path a non-root user could write.
chmod 0755 "$R" "$R"/etc "$R"/etc/ssh "$R"/home "$R"/opt "$R"/opt/aws "$R"/opt/aws/bin "$R"/usr "$R"/usr/share \
    "$R"/usr/share/ec2-instance-connect "$R"/run
chmod 0750 "$R"/etc/sudoers.d
[ "$SSHD" != down ] || : > "$R/run/sshd.disabled"

# ------------------------------------------------------------------------ the image's files
install -m 0644 "$IMAGE_DIR/os-release" "$R/etc/os-release"
install -m 0644 "$IMAGE_DIR/sshd_config" "$R/etc/ssh/sshd_config"
# A distribution whose sshd_config includes sshd_config.d ships the directory, even when empty.
if grep -q '^Include /etc/ssh/sshd_config.d/' "$IMAGE_DIR/sshd_config"; then mkdir -p "$R/etc/ssh/sshd_config.d"; fi
if [ -d "$IMAGE_DIR/sshd_config.d" ]; then
    for f in "$IMAGE_DIR"/sshd_config.d/*.conf; do install -m 0644 "$f" "$R/etc/ssh/sshd_config.d/"; done
fi

# ------------------------------------------------------------------------ users, groups, sudo
# Keep the host's system accounts (sshd's privilege-separation user "sshd" must exist) and drop its
# regular users: uid 1000 belongs to the login user here. The files are bind-mounted one by one, so
# anything that edits them later must write in place (>>), never rename over them.
awk -F: '$3 < 1000 || $3 == 65534' /etc/passwd > "$R/etc/passwd"
awk -F: '$3 < 1000 || $3 == 65534' /etc/group > "$R/etc/group"
awk -F: 'NR == FNR { keep[$1] = 1; next } keep[$1]' "$R/etc/passwd" /etc/shadow > "$R/etc/shadow"
echo "$LOGIN_USER:x:1000:1000:$LOGIN_GECOS:/home/$LOGIN_USER:/bin/bash" >> "$R/etc/passwd"
echo "$LOGIN_USER:x:1000:" >> "$R/etc/group"
if [ "$SUDO" = password ]; then
    # password "sandbox" (SHA-512 crypt), so `sudo` works interactively but `sudo -n` fails
    echo "$LOGIN_USER:\$6\$eicsandbox\$Xyten0Gx7pttN7iEJ73Y8LYswuWaB7rsFrhIyDYSS9hv8tOEbpMBvzZMkjMYwjVxbrnL3022BCb4oE46550Ng1:19500:0:99999:7:::" >> "$R/etc/shadow"
else
    echo "$LOGIN_USER:!:19500:0:99999:7:::" >> "$R/etc/shadow"
fi
chmod 0644 "$R/etc/passwd" "$R/etc/group"
chmod 0640 "$R/etc/shadow"
chgrp shadow "$R/etc/shadow" 2>/dev/null || true

cp /etc/sudoers "$R/etc/sudoers"
chmod 0440 "$R/etc/sudoers"
if [ "$SUDO" = password ]; then
    printf '%s\n' "# User rules for $LOGIN_USER (this image wants a password for sudo)" \
        "Defaults:$LOGIN_USER timestamp_timeout=0" "$LOGIN_USER ALL=(ALL) ALL" > "$R/etc/sudoers.d/90-cloud-init-users"
else
    printf '%s\n' "# Created by cloud-init v. 19.3-46.amzn2 on Thu, 01 Feb 2024 00:00:00 +0000" "" \
        "# User rules for $LOGIN_USER" "$LOGIN_USER ALL=(ALL) NOPASSWD:ALL" > "$R/etc/sudoers.d/90-cloud-init-users"
fi
chmod 0440 "$R/etc/sudoers.d/90-cloud-init-users"

# home with the fleet key (sshd StrictModes: owned by the user, not group/world-writable); sshd=nokey:
# the launch key was lost, so authorized_keys is there but empty (the operator's SSH gets no login)
if [ "$SSHD" = nokey ]; then
    : > "$R/home/$LOGIN_USER/.ssh/authorized_keys"
else
    cp "$FLEET_PUBKEY_FILE" "$R/home/$LOGIN_USER/.ssh/authorized_keys"
fi
chmod 0700 "$R/home/$LOGIN_USER" "$R/home/$LOGIN_USER/.ssh"
chmod 0600 "$R/home/$LOGIN_USER/.ssh/authorized_keys"
chown -R 1000:1000 "$R/home/$LOGIN_USER"

# ------------------------------------------------------------------------ host key
ssh-keygen -q -t ed25519 -N '' -C "root@ip-${IP//./-}" -f "$R/etc/ssh/ssh_host_ed25519_key"
[ -r /etc/ssh/ssh_config ] && cp /etc/ssh/ssh_config "$R/etc/ssh/ssh_config"
# moduli lets sshd offer diffie-hellman-group-exchange; a hard link costs nothing when it can be made
ln /etc/ssh/moduli "$R/etc/ssh/moduli" 2>/dev/null || true
echo "$IP $(cut -d' ' -f1,2 "$R/etc/ssh/ssh_host_ed25519_key.pub")" > "$R/actual_known_hosts_line"
if [ "$HOST_KEY" = replaced ]; then
    # the key the instance had before it was "rebuilt": handed out to clients, presented by nobody
    ssh-keygen -q -t ed25519 -N '' -C old -f "$R/run/stale_host_key"
    echo "$IP $(cut -d' ' -f1,2 "$R/run/stale_host_key.pub")" > "$R/known_hosts_line"
    rm -f "$R/run/stale_host_key"
else
    cp "$R/actual_known_hosts_line" "$R/known_hosts_line"
fi

# ------------------------------------------------------------------------ foreign AuthorizedKeysCommand
# Some other team's key service: in sshd_config itself, or hidden in a file an Include pulls in.
foreign=("# Keys from the platform team's key service" "AuthorizedKeysCommand /usr/local/bin/vault-ssh-keys %u"
         "AuthorizedKeysCommandUser nobody")
case "$FOREIGN_AKC" in
    sshd_config) printf '%s\n' "" "${foreign[@]}" >> "$R/etc/ssh/sshd_config" ;;
    include) [ -d "$R/etc/ssh/sshd_config.d" ] || fail "foreign_akc=include needs an image that includes sshd_config.d"
        printf '%s\n' "${foreign[@]}" > "$R/etc/ssh/sshd_config.d/50-vault-ssh.conf" ;;
esac
