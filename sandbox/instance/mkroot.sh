#!/bin/bash
# mkroot.sh PERSONALITY ROOTDIR INSTANCE_ID IP AWSD_URL FLEET_PUBKEY_FILE
#
# Creates one sandbox instance's file tree under ROOTDIR (must not exist yet, or be empty); start.sh
# bind-mounts it over the system paths inside the instance's own mount namespace. Cheap on purpose
# (one ssh-keygen, no package manager, no python): 200 of these must fit in well under a minute.
#
# Output on stdout: nothing. Files for the orchestrator:
#   ROOTDIR/known_hosts_line   "IP ssh-ed25519 AAAA..." — the line to put in the known_hosts handed out.
#                              For hostkey-changed it is a DIFFERENT key than the one sshd presents
#                              (as after a rebuild); the real one is in ROOTDIR/actual_known_hosts_line.
#   ROOTDIR/run/instance.env   the instance's identity (read by the stand-ins and the key command)
#   ROOTDIR/login_user         ec2-user or ubuntu
#   ROOTDIR/personality        the personality name
# See sandbox/README.md for the personalities.
set -euo pipefail
umask 022

[ "$#" -eq 6 ] || { echo "usage: $0 PERSONALITY ROOTDIR INSTANCE_ID IP AWSD_URL FLEET_PUBKEY_FILE" >&2; exit 2; }
PERSONALITY=$1 R=$2 INSTANCE_ID=$3 IP=$4 AWSD_URL=$5 FLEET_PUBKEY_FILE=$6
HERE=$(cd "$(dirname "$0")" && pwd)

case "$IP" in 127.*) ;; *) echo "mkroot.sh: $IP is not a loopback address" >&2; exit 2 ;; esac
case "$INSTANCE_ID" in i-[0-9a-f]*) ;; *) echo "mkroot.sh: bad instance id $INSTANCE_ID" >&2; exit 2 ;; esac
[ -r "$FLEET_PUBKEY_FILE" ] || { echo "mkroot.sh: cannot read $FLEET_PUBKEY_FILE" >&2; exit 2; }
if [ -e "$R" ] && [ -n "$(ls -A "$R")" ]; then echo "mkroot.sh: $R exists and is not empty" >&2; exit 2; fi

# ------------------------------------------------------------------------ personality table
# base distro | package state (none | version) | extras
sudo_password=0 sshd_enabled=1 stale_hostkey=0 foreign=""
case "$PERSONALITY" in
    al2-old)              BASE=al2-old;       PKGVER="" ;;
    al2-current)          BASE=al2-current;   PKGVER=1.1-19.amzn2 ;;
    al2-pkg-1.1-12)       BASE=al2-current;   PKGVER=1.1-12.amzn2 ;;
    conflict-sshd-config) BASE=al2-current;   PKGVER=""; foreign=sshd_config ;;
    hostkey-changed)      BASE=al2-current;   PKGVER=1.1-19.amzn2; stale_hostkey=1 ;;
    ubuntu-16.04)         BASE=ubuntu-16.04;  PKGVER="" ;;
    ubuntu-18.04)         BASE=ubuntu-18.04;  PKGVER="" ;;
    ubuntu-20.04)         BASE=ubuntu-20.04;  PKGVER=1.1.12.0-0ubuntu3~20.04.1 ;;
    ubuntu-22.04)         BASE=ubuntu-22.04;  PKGVER=1.1.14-0ubuntu1.1 ;;
    conflict-include)     BASE=ubuntu-22.04;  PKGVER=""; foreign=include ;;
    unreachable)          BASE=ubuntu-20.04;  PKGVER=1.1.12.0-0ubuntu3~20.04.1; sshd_enabled=0 ;;
    sudo-password)        BASE=ubuntu-18.04;  PKGVER=""; sudo_password=1 ;;
    *) echo "mkroot.sh: unknown personality $PERSONALITY" >&2; exit 2 ;;
esac
case "$BASE" in
    al2*) FAMILY=al2 USERNAME=ec2-user GECOS="EC2 Default User" UNIT=sshd ;;
    *)    FAMILY=ubuntu USERNAME=ubuntu GECOS="Ubuntu" UNIT=ssh ;;
esac

# ------------------------------------------------------------------------ tree
mkdir -p "$R"/etc/ssh "$R"/etc/sudoers.d "$R"/home "$R"/opt/aws/bin "$R"/usr/share/ec2-instance-connect \
    "$R"/lib/systemd/system/ssh.service.d "$R"/lib/systemd/system/sshd.service.d \
    "$R"/etc/systemd/system/ssh.service.d "$R"/etc/systemd/system/sshd.service.d \
    "$R"/run/pkg "$R/home/$USERNAME/.ssh"
# sshd refuses an AuthorizedKeysCommand (and authorized_keys) on a path a non-root user could write.
chmod 0755 "$R" "$R"/etc "$R"/etc/ssh "$R"/home "$R"/opt "$R"/opt/aws "$R"/opt/aws/bin "$R"/usr "$R"/usr/share \
    "$R"/usr/share/ec2-instance-connect "$R"/run
chmod 0750 "$R"/etc/sudoers.d

# instance.env: sourced by the stand-ins and by eic_run_authorized_keys (as ec2-instance-connect).
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
    echo "INSTANCE_ID=$(q "$INSTANCE_ID")"
    echo "IP=$(q "$IP")"
    echo "AWSD_URL=$(q "$AWSD_URL")"
    echo "PERSONALITY=$(q "$PERSONALITY")"
    echo "PERSONALITY_BASE=$(q "$BASE")"
    echo "FAMILY=$(q "$FAMILY")"
    echo "LOGIN_USER=$(q "$USERNAME")"
    echo "UNIT=$(q "$UNIT")"
    echo "SANDBOX_HOME=$(q "$HERE")"
} > "$R/run/instance.env"
chmod 0644 "$R/run/instance.env"
echo "$USERNAME" > "$R/login_user"
echo "$PERSONALITY" > "$R/personality"
[ "$sshd_enabled" -eq 1 ] || : > "$R/run/sshd.disabled"
[ -z "$PKGVER" ] || echo "$PKGVER" > "$R/run/pkg/ec2-instance-connect"

# ------------------------------------------------------------------------ os-release (exact strings)
case "$BASE" in
    al2-old) cat > "$R/etc/os-release" <<'EOF'
NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
HOME_URL="https://amazonlinux.com/"
EOF
    ;;
    al2-current) cat > "$R/etc/os-release" <<'EOF'
NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
HOME_URL="https://amazonlinux.com/"
SUPPORT_END="2026-06-30"
EOF
    ;;
    ubuntu-16.04) cat > "$R/etc/os-release" <<'EOF'
NAME="Ubuntu"
VERSION="16.04.7 LTS (Xenial Xerus)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 16.04.7 LTS"
VERSION_ID="16.04"
HOME_URL="http://www.ubuntu.com/"
SUPPORT_URL="http://help.ubuntu.com/"
BUG_REPORT_URL="http://bugs.launchpad.net/ubuntu/"
VERSION_CODENAME=xenial
UBUNTU_CODENAME=xenial
EOF
    ;;
    ubuntu-18.04) cat > "$R/etc/os-release" <<'EOF'
NAME="Ubuntu"
VERSION="18.04.6 LTS (Bionic Beaver)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 18.04.6 LTS"
VERSION_ID="18.04"
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
VERSION_CODENAME=bionic
UBUNTU_CODENAME=bionic
EOF
    ;;
    ubuntu-20.04) cat > "$R/etc/os-release" <<'EOF'
NAME="Ubuntu"
VERSION="20.04.6 LTS (Focal Fossa)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 20.04.6 LTS"
VERSION_ID="20.04"
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
VERSION_CODENAME=focal
UBUNTU_CODENAME=focal
EOF
    ;;
    ubuntu-22.04) cat > "$R/etc/os-release" <<'EOF'
PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
EOF
    ;;
esac

# ------------------------------------------------------------------------ users, groups, sudo
# Keep the host's system accounts (sshd's privilege-separation user "sshd" must exist) and drop its
# regular users: uid 1000 belongs to the login user here. The files are bind-mounted one by one, so
# anything that edits them later must write in place (>>), never rename over them.
awk -F: '$3 < 1000 || $3 == 65534' /etc/passwd > "$R/etc/passwd"
awk -F: '$3 < 1000 || $3 == 65534' /etc/group > "$R/etc/group"
awk -F: 'NR == FNR { keep[$1] = 1; next } keep[$1]' "$R/etc/passwd" /etc/shadow > "$R/etc/shadow"
echo "$USERNAME:x:1000:1000:$GECOS:/home/$USERNAME:/bin/bash" >> "$R/etc/passwd"
echo "$USERNAME:x:1000:" >> "$R/etc/group"
if [ "$sudo_password" -eq 1 ]; then
    # password "sandbox" (SHA-512 crypt), so `sudo` works interactively but `sudo -n` fails
    echo "$USERNAME:\$6\$eicsandbox\$Xyten0Gx7pttN7iEJ73Y8LYswuWaB7rsFrhIyDYSS9hv8tOEbpMBvzZMkjMYwjVxbrnL3022BCb4oE46550Ng1:19500:0:99999:7:::" >> "$R/etc/shadow"
else
    echo "$USERNAME:!:19500:0:99999:7:::" >> "$R/etc/shadow"
fi
if [ -n "$PKGVER" ]; then  # preconfigured: the package created its system user
    if [ "$FAMILY" = al2 ]; then
        echo "ec2-instance-connect:x:996:994::/home/ec2-instance-connect:/sbin/nologin" >> "$R/etc/passwd"
        echo "ec2-instance-connect:!!:19000::::::" >> "$R/etc/shadow"
        echo "ec2-instance-connect:x:994:" >> "$R/etc/group"
    else
        echo "ec2-instance-connect:x:114:121::/nonexistent:/usr/sbin/nologin" >> "$R/etc/passwd"
        echo "ec2-instance-connect:*:19000:0:99999:7:::" >> "$R/etc/shadow"
        echo "ec2-instance-connect:x:121:" >> "$R/etc/group"
    fi
fi
chmod 0644 "$R/etc/passwd" "$R/etc/group"
chmod 0640 "$R/etc/shadow"
chgrp shadow "$R/etc/shadow" 2>/dev/null || true

cp /etc/sudoers "$R/etc/sudoers"
chmod 0440 "$R/etc/sudoers"
if [ "$sudo_password" -eq 1 ]; then
    printf '%s\n' "# User rules for $USERNAME (this image wants a password for sudo)" \
        "Defaults:$USERNAME timestamp_timeout=0" "$USERNAME ALL=(ALL) ALL" > "$R/etc/sudoers.d/90-cloud-init-users"
else
    printf '%s\n' "# Created by cloud-init v. 19.3-46.amzn2 on Thu, 01 Feb 2024 00:00:00 +0000" "" \
        "# User rules for $USERNAME" "$USERNAME ALL=(ALL) NOPASSWD:ALL" > "$R/etc/sudoers.d/90-cloud-init-users"
fi
chmod 0440 "$R/etc/sudoers.d/90-cloud-init-users"

# home with the fleet key (sshd StrictModes: owned by the user, not group/world-writable)
cp "$FLEET_PUBKEY_FILE" "$R/home/$USERNAME/.ssh/authorized_keys"
chmod 0700 "$R/home/$USERNAME" "$R/home/$USERNAME/.ssh"
chmod 0600 "$R/home/$USERNAME/.ssh/authorized_keys"
chown -R 1000:1000 "$R/home/$USERNAME"

# ------------------------------------------------------------------------ sshd configuration
ssh-keygen -q -t ed25519 -N '' -C "root@ip-${IP//./-}" -f "$R/etc/ssh/ssh_host_ed25519_key"
[ -r /etc/ssh/ssh_config ] && cp /etc/ssh/ssh_config "$R/etc/ssh/ssh_config"
# moduli lets sshd offer diffie-hellman-group-exchange; a hard link costs nothing when it can be made
ln /etc/ssh/moduli "$R/etc/ssh/moduli" 2>/dev/null || true
echo "$IP $(cut -d' ' -f1,2 "$R/etc/ssh/ssh_host_ed25519_key.pub")" > "$R/actual_known_hosts_line"
if [ "$stale_hostkey" -eq 1 ]; then
    # the key the instance had before it was "rebuilt": handed out to clients, presented by nobody
    ssh-keygen -q -t ed25519 -N '' -C old -f "$R/run/stale_host_key"
    echo "$IP $(cut -d' ' -f1,2 "$R/run/stale_host_key.pub")" > "$R/known_hosts_line"
    rm -f "$R/run/stale_host_key"
else
    cp "$R/actual_known_hosts_line" "$R/known_hosts_line"
fi

# The configuration each distro ships (trimmed of options OpenSSH 9.2 rejects outright; the host's
# sshd binary serves every personality), with the same commented defaults, since tools grep them.
SFTP=/usr/lib/openssh/sftp-server
case "$BASE" in
    al2*) cat > "$R/etc/ssh/sshd_config" <<EOF
#	\$OpenBSD: sshd_config,v 1.100 2016/08/15 12:32:04 naddy Exp \$

# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

# This sshd was compiled with PATH=/usr/local/bin:/usr/bin

# The strategy used for options in the default sshd_config shipped with
# OpenSSH is to specify options with their default value where
# possible, but leave them commented.  Uncommented options override the
# default value.

#Port 22
#AddressFamily any
#ListenAddress 0.0.0.0
#ListenAddress ::

HostKey /etc/ssh/ssh_host_ed25519_key

# Ciphers and keying
#RekeyLimit default none

# Logging
#SyslogFacility AUTH
SyslogFacility AUTHPRIV
#LogLevel INFO

# Authentication:

#LoginGraceTime 2m
#PermitRootLogin yes
#StrictModes yes
#MaxAuthTries 6
#MaxSessions 10

#PubkeyAuthentication yes

# The default is to check both .ssh/authorized_keys and .ssh/authorized_keys2
# but this is overridden so installations will only check .ssh/authorized_keys
AuthorizedKeysFile .ssh/authorized_keys

#AuthorizedPrincipalsFile none

#AuthorizedKeysCommand none
#AuthorizedKeysCommandUser nobody

# For this to work you will also need host keys in /etc/ssh/ssh_known_hosts
#HostbasedAuthentication no
#IgnoreUserKnownHosts no
#IgnoreRhosts yes

# To disable tunneled clear text passwords, change to no here!
#PasswordAuthentication yes
#PermitEmptyPasswords no
PasswordAuthentication no

# Change to no to disable s/key passwords
#ChallengeResponseAuthentication yes
ChallengeResponseAuthentication no

# GSSAPI options
GSSAPIAuthentication yes
GSSAPICleanupCredentials no

UsePAM yes

#AllowAgentForwarding yes
#AllowTcpForwarding yes
#GatewayPorts no
X11Forwarding yes
#PrintMotd yes
#PrintLastLog yes
#TCPKeepAlive yes
#UseLogin no
#PermitUserEnvironment no
#Compression delayed
#ClientAliveInterval 0
#ClientAliveCountMax 3
#ShowPatchLevel no
#UseDNS yes
#PidFile /var/run/sshd.pid
#MaxStartups 10:30:100
#PermitTunnel no
#ChrootDirectory none
#VersionAddendum none

# no default banner path
#Banner none

# Accept locale-related environment variables
AcceptEnv LANG LC_CTYPE LC_NUMERIC LC_TIME LC_COLLATE LC_MONETARY LC_MESSAGES
AcceptEnv LC_PAPER LC_NAME LC_ADDRESS LC_TELEPHONE LC_MEASUREMENT
AcceptEnv LC_IDENTIFICATION LC_ALL LANGUAGE
AcceptEnv XMODIFIERS

# override default of no subsystems
Subsystem sftp	$SFTP

# Example of overriding settings on a per-user basis
#Match User anoncvs
#	X11Forwarding no
#	AllowTcpForwarding no
#	PermitTTY no
#	ForceCommand cvs server
EOF
    ;;
    ubuntu-16.04) cat > "$R/etc/ssh/sshd_config" <<EOF
# Package generated configuration file
# See the sshd_config(5) manpage for details

# What ports, IPs and protocols we listen for
Port 22
# Use these options to restrict which interfaces/protocols sshd will bind to
#ListenAddress ::
#ListenAddress 0.0.0.0
# HostKeys for protocol version 2
HostKey /etc/ssh/ssh_host_ed25519_key

# Logging
SyslogFacility AUTH
LogLevel INFO

# Authentication:
LoginGraceTime 120
PermitRootLogin prohibit-password
StrictModes yes

PubkeyAuthentication yes
#AuthorizedKeysFile	%h/.ssh/authorized_keys

# Don't read the user's ~/.rhosts and ~/.shosts files
IgnoreRhosts yes
# similar for protocol version 2
HostbasedAuthentication no

# To enable empty passwords, change to yes (NOT RECOMMENDED)
PermitEmptyPasswords no

# Change to yes to enable challenge-response passwords (beware issues with
# some PAM modules and threads)
ChallengeResponseAuthentication no

# Change to no to disable tunnelled clear text passwords
#PasswordAuthentication yes

X11Forwarding yes
X11DisplayOffset 10
PrintMotd no
PrintLastLog yes
TCPKeepAlive yes
#UseLogin no

# Allow client to pass locale environment variables
AcceptEnv LANG LC_*

Subsystem sftp $SFTP

# Set this to 'yes' to enable PAM authentication, account processing,
# and session processing.
UsePAM yes
PasswordAuthentication no
EOF
    ;;
    ubuntu-*)
        include=""
        kbd="ChallengeResponseAuthentication no"
        case "$BASE" in
            ubuntu-20.04) include="Include /etc/ssh/sshd_config.d/*.conf" ;;
            ubuntu-22.04) include="Include /etc/ssh/sshd_config.d/*.conf"; kbd="KbdInteractiveAuthentication no" ;;
        esac
        cat > "$R/etc/ssh/sshd_config" <<EOF

# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

# This sshd was compiled with PATH=/usr/bin:/bin:/usr/sbin:/sbin

# The strategy used for options in the default sshd_config shipped with
# OpenSSH is to specify options with their default value where
# possible, but leave them commented.  Uncommented options override the
# default value.

$include

#Port 22
#AddressFamily any
#ListenAddress 0.0.0.0
#ListenAddress ::

#HostKey /etc/ssh/ssh_host_rsa_key
#HostKey /etc/ssh/ssh_host_ecdsa_key
#HostKey /etc/ssh/ssh_host_ed25519_key

# Ciphers and keying
#RekeyLimit default none

# Logging
#SyslogFacility AUTH
#LogLevel INFO

# Authentication:

#LoginGraceTime 2m
#PermitRootLogin prohibit-password
#StrictModes yes
#MaxAuthTries 6
#MaxSessions 10

#PubkeyAuthentication yes

# Expect .ssh/authorized_keys2 to be disregarded by default in future.
#AuthorizedKeysFile	.ssh/authorized_keys .ssh/authorized_keys2

#AuthorizedPrincipalsFile none

#AuthorizedKeysCommand none
#AuthorizedKeysCommandUser nobody

# For this to work you will also need host keys in /etc/ssh/ssh_known_hosts
#HostbasedAuthentication no
# Change to yes if you don't trust ~/.ssh/known_hosts for
# HostbasedAuthentication
#IgnoreUserKnownHosts no
# Don't read the user's ~/.rhosts and ~/.shosts files
#IgnoreRhosts yes

# To disable tunneled clear text passwords, change to no here!
#PasswordAuthentication yes
#PermitEmptyPasswords no

# Change to yes to enable challenge-response passwords (beware issues with
# some PAM modules and threads)
$kbd

# Set this to 'yes' to enable PAM authentication, account processing,
# and session processing. If this is enabled, PAM authentication will
# be allowed through the KbdInteractiveAuthentication and
# PasswordAuthentication.  Depending on your PAM configuration,
# PAM authentication via KbdInteractiveAuthentication may bypass
# the setting of "PermitRootLogin without-password".
# If you just want the PAM account and session checks to run without
# PAM authentication, then enable this but set PasswordAuthentication
# and KbdInteractiveAuthentication to 'no'.
UsePAM yes

#AllowAgentForwarding yes
#AllowTcpForwarding yes
#GatewayPorts no
X11Forwarding yes
#X11DisplayOffset 10
#X11UseLocalhost yes
#PermitTTY yes
PrintMotd no
#PrintLastLog yes
#TCPKeepAlive yes
#PermitUserEnvironment no
#Compression delayed
#ClientAliveInterval 0
#ClientAliveCountMax 3
#UseDNS no
#PidFile /var/run/sshd.pid
#MaxStartups 10:30:100
#PermitTunnel no
#ChrootDirectory none
#VersionAddendum none

# no default banner path
#Banner none

# Allow client to pass locale environment variables
AcceptEnv LANG LC_*

# override default of no subsystems
Subsystem	sftp	$SFTP

# Example of overriding settings on a per-user basis
#Match User anoncvs
#	X11Forwarding no
#	AllowTcpForwarding no
#	PermitTTY no
#	ForceCommand cvs server
EOF
        case "$BASE" in
            ubuntu-16.04|ubuntu-18.04) echo "PasswordAuthentication no" >> "$R/etc/ssh/sshd_config" ;;
            ubuntu-20.04) mkdir -p "$R/etc/ssh/sshd_config.d"; echo "PasswordAuthentication no" >> "$R/etc/ssh/sshd_config" ;;
            ubuntu-22.04) mkdir -p "$R/etc/ssh/sshd_config.d"
                echo "PasswordAuthentication no" > "$R/etc/ssh/sshd_config.d/60-cloudimg-settings.conf" ;;
        esac
        # Ubuntu's sshd_config has no HostKey line (defaults); ours has only an ed25519 key, so say so
        # in a drop-in-free way sshd accepts: the default list simply skips missing keys.
        ;;
esac

# foreign AuthorizedKeysCommand (some other team's key service): in sshd_config, or hidden in an Include
foreign_lines="AuthorizedKeysCommand /usr/local/bin/vault-ssh-keys %u
AuthorizedKeysCommandUser nobody"
case "$foreign" in
    sshd_config) printf '%s\n' "" "# Keys from the platform team's key service" "$foreign_lines" >> "$R/etc/ssh/sshd_config" ;;
    include) printf '%s\n' "# Keys from the platform team's key service" "$foreign_lines" \
        > "$R/etc/ssh/sshd_config.d/50-vault-ssh.conf" ;;
esac

# ------------------------------------------------------------------------ the package, if installed
if [ -n "$PKGVER" ]; then
    if [ "$FAMILY" = al2 ]; then
        dest="$R/opt/aws/bin"
        printf '%s\n' "AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys %u %f" \
            "AuthorizedKeysCommandUser ec2-instance-connect" >> "$R/etc/ssh/sshd_config"
    else
        dest="$R/usr/share/ec2-instance-connect"
        printf '%s\n' "[Service]" "ExecStart=" \
            'ExecStart=/usr/sbin/sshd -D -o "AuthorizedKeysCommand /usr/share/ec2-instance-connect/eic_run_authorized_keys %%u %%f" -o "AuthorizedKeysCommandUser ec2-instance-connect" $SSHD_OPTS' \
            > "$R/lib/systemd/system/ssh.service.d/ec2-instance-connect.conf"
    fi
    for f in eic_run_authorized_keys eic_curl_authorized_keys eic_parse_authorized_keys eic_harvest_hostkeys; do
        cp "$HERE/pkg/$f" "$dest/$f"
    done
    chmod 0755 "$dest"/eic_*
fi
chmod 0644 "$R/etc/ssh/sshd_config"
