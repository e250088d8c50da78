# shellcheck shell=bash
# Shared by nsinit.sh (the per-instance supervisor) and the stand-ins (yum, apt-get, systemctl, ...).
# Everything here runs INSIDE an instance's mount namespace, where this instance's own files are
# bind-mounted over the system paths, so plain paths like /etc/ssh/sshd_config mean "this instance's".
#
# Instance state lives in /var/lib/eicsandbox (= ROOTDIR/run on the host):
#   instance.env      the instance's identity (INSTANCE_ID, IP, AWSD_URL, SANDBOX_HOME), its row of
#                     sandbox/personalities.tsv (PERSONALITY, IMAGE, PACKAGE_PREINSTALLED, SSHD, HOST_KEY,
#                     SUDO, FOREIGN_AKC, AGENT) and its image's image.env (FAMILY al2|ubuntu, LOGIN_USER, UNIT,
#                     PACKAGE_CANDIDATE, OPENSSH_VERSION, ...); written by `eicsetup sandbox up`
#   holder.pid        pid of nsinit.sh, the long-lived process of the namespace (kill it to stop the instance)
#   sshd.pid          pid of the listening sshd (written by sshd itself once it listens)
#   execstart.args    the sshd arguments systemd would use, taken from the unit drop-ins at "daemon-reload"
#   execstart.sum     checksum of the drop-ins at that time (to warn like systemd when they changed since)
#   sshd.disabled     present while the "unit" is stopped or failed; sshd.failed after a failed start
#   pkg/<name>        installed package version (the stand-ins' package database; also
#                     ec2-instance-connect-selinux on EL)
#   package-commands.log  one line per mutating package-manager command run (pkglog.sh)

RUN=/var/lib/eicsandbox
# shellcheck source=/dev/null
. "$RUN/instance.env"
# shellcheck source=pkglog.sh
. "$SANDBOX_HOME/pkglog.sh"

# ------------------------------------------------------------------------------------ families
# al2 (yum), al2023 (dnf, yum is dnf), el (RHEL/CentOS: dnf; the package is not in the repositories,
# AWS publishes it by URL): rpm distributions with sshd.service and /opt/aws/bin. ubuntu: apt/dpkg.
rpm_family() { [ "$FAMILY" != ubuntu ]; }

# How this image's package configures sshd (image.env EIC_CONFIG; the default by family):
#   sshd_config    appends the two lines to /etc/ssh/sshd_config (Amazon Linux)
#   sshd_config.d  writes /etc/ssh/sshd_config.d/60-ec2-instance-connect.conf (EL9, CentOS Stream 9)
#   systemd        an ExecStart drop-in for the sshd unit with -o options (Ubuntu, EL8)
eic_config() {
    if [ -n "${EIC_CONFIG:-}" ]; then echo "$EIC_CONFIG"
    elif rpm_family; then echo sshd_config
    else echo systemd; fi
}

# Ubuntu 24.04 starts sshd through ssh.socket (image.env SOCKET_ACTIVATED=yes): systemd listens on
# port 22 and starts ssh.service for the first connection, so stopping ssh.service does not stop
# logins (the next connection starts it again, with the arguments of the last daemon-reload).
socket_activated() { [ "${SOCKET_ACTIVATED:-no}" = yes ]; }

# ------------------------------------------------------------------------------------ systemd units
# Drop-in directories systemd reads for the sshd unit of this distro. Ubuntu's ssh.service has the
# alias sshd.service, and systemd also reads drop-ins under the alias name.
dropin_dirs() {
    if rpm_family; then
        printf '%s\n' /lib/systemd/system/sshd.service.d /etc/systemd/system/sshd.service.d
    else
        printf '%s\n' /lib/systemd/system/ssh.service.d /lib/systemd/system/sshd.service.d \
            /etc/systemd/system/ssh.service.d /etc/systemd/system/sshd.service.d
    fi
}

# The drop-in files in the order systemd applies them: sorted by file name over all directories;
# a file in /etc/systemd/system masks a same-named one in /lib/systemd/system.
dropin_files() {
    local dir file name
    declare -A chosen=()
    while IFS= read -r dir; do
        for file in "$dir"/*.conf; do
            [ -f "$file" ] || continue
            name=${file##*/}
            case "$file" in
                /etc/*) chosen[$name]=$file ;;
                *) [ -n "${chosen[$name]:-}" ] || chosen[$name]=$file ;;
            esac
        done
    done < <(dropin_dirs)
    for name in "${!chosen[@]}"; do printf '%s\t%s\n' "$name" "${chosen[$name]}"; done | sort | cut -f2
}

dropins_checksum() {
    local files
    mapfile -t files < <(dropin_files)
    if [ "${#files[@]}" -eq 0 ]; then echo none; else cat -- "${files[@]}" | cksum; fi
}

# "systemctl daemon-reload": take the effective ExecStart= from the drop-ins (an empty ExecStart=
# resets it, the last one wins) and keep the arguments after the program, unquoted the way systemd
# does (%% -> %, $SSHD_OPTS is empty as in /etc/default/ssh). xargs splits on quotes without
# expanding anything, so a drop-in cannot run code here.
daemon_reload() {
    local file line exec_start=""
    while IFS= read -r file; do
        while IFS= read -r line || [ -n "$line" ]; do
            case "$line" in
                ExecStart=*) exec_start=${line#ExecStart=} ;;
            esac
        done < "$file"
    done < <(dropin_files)
    exec_start=${exec_start//%%/%}
    exec_start=${exec_start//\$\{SSHD_OPTS\}/}
    exec_start=${exec_start//\$SSHD_OPTS/}
    exec_start=${exec_start#[-@+!:]}  # systemd's ExecStart prefixes
    if [ -n "$exec_start" ]; then
        printf '%s\n' "$exec_start" | xargs printf '%s\n' | tail -n +2 > "$RUN/execstart.args.tmp"
    else
        : > "$RUN/execstart.args.tmp"
    fi
    mv -f "$RUN/execstart.args.tmp" "$RUN/execstart.args"
    dropins_checksum > "$RUN/execstart.sum"
}

unit_matches() {  # accepts the unit names this distro knows for sshd
    case "$FAMILY:${1%.service}" in
        al2:sshd | al2023:sshd | el:sshd | ubuntu:ssh | ubuntu:sshd) return 0 ;;
    esac
    return 1
}

socket_unit_matches() {  # ssh.socket, on an image whose sshd is socket-activated
    socket_activated && [ "$1" = ssh.socket ]
}

# The running sshd: the supervisor's child (sshd.main, stable across a SIGHUP re-exec, during which
# sshd.pid is briefly absent). /proc, not kill -0: non-root callers (systemctl is-active) may ask too.
sshd_pid() {
    local pid
    pid=$(cat "$RUN/sshd.main" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -d "/proc/$pid" ] && printf '%s\n' "$pid"
}

sshd_listening() {  # sshd writes its PidFile only once it listens
    local pid
    pid=$(sshd_pid) || return 1
    [ "$(cat "$RUN/sshd.pid" 2>/dev/null)" = "$pid" ]
}

# Restart as systemd would: stop the listener (sessions survive, KillMode=process), start a new one
# with the arguments loaded at the last daemon-reload; wait until it listens (it writes its PidFile
# after binding) or the start failed. Returns 1 on failure, like `systemctl restart`.
restart_sshd() {
    local old i
    if [ "$(dropins_checksum)" != "$(cat "$RUN/execstart.sum" 2>/dev/null)" ]; then
        echo "Warning: The unit file, source configuration file or drop-ins of ${UNIT}.service changed on disk. Run 'systemctl daemon-reload' to reload units." >&2
    fi
    old=$(sshd_pid || true)
    rm -f "$RUN/sshd.failed" "$RUN/sshd.disabled"
    if [ -n "$old" ]; then
        : > "$RUN/sshd.restart"
        kill -TERM "$old" 2>/dev/null || true
    fi
    for i in $(seq 1 100); do
        if [ -e "$RUN/sshd.failed" ]; then
            echo "Job for ${UNIT}.service failed because the control process exited with error code." >&2
            echo "See \"systemctl status ${UNIT}.service\" and \"journalctl -xeu ${UNIT}.service\" for details." >&2
            return 1
        fi
        local now
        now=$(sshd_pid || true)
        if [ -n "$now" ] && [ "$now" != "$old" ] && sshd_listening; then return 0; fi
        sleep 0.1
    done
    echo "Job for ${UNIT}.service timed out." >&2
    return 1
}

stop_sshd() {
    local pid
    : > "$RUN/sshd.disabled"
    pid=$(sshd_pid || true)
    [ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
}

# ------------------------------------------------------------------------------------------ faults
# Faults come from awsd (GET /_sandbox/faults.env, the same text as STATE_DIR/faults.env), so the
# instance needs no path into the state directory. SSH_DROP=P, SLOW_INSTALL=S, SEED=N.
load_faults() {
    SSH_DROP=0 SLOW_INSTALL=0 SEED=20240601
    local text line
    text=$(curl -s -f --max-time 2 "$AWSD_URL/_sandbox/faults.env" 2>/dev/null) || return 0
    while IFS='=' read -r name value; do
        case "$name" in
            SSH_DROP) SSH_DROP=$value ;;
            SLOW_INSTALL) SLOW_INSTALL=$value ;;
            SEED) SEED=$value ;;
        esac
    done <<< "$text"
}

# Repeatable coin: seeded from the run's seed, the instance id and a per-instance invocation counter.
chance() {  # chance P -> success with probability P
    local p=$1 n seed
    n=$(( $(cat "$RUN/fault.counter" 2>/dev/null || echo 0) + 1 ))
    echo "$n" > "$RUN/fault.counter" 2>/dev/null || true
    seed=$(printf '%s:%s:%s' "$SEED" "$INSTANCE_ID" "$n" | cksum | cut -d' ' -f1)
    awk -v s="$seed" -v p="$p" 'BEGIN { srand(s); exit !(rand() < p) }'
}

# ssh-drop: cut this command's SSH connection, as a network failure would, by killing the sshd
# processes of this session (never the listener). Walk up the parent chain from this process.
drop_connection() {
    local pid=$$ listener comm ppid
    listener=$(sshd_pid || true)
    while [ "$pid" -gt 1 ]; do
        comm=$(cat "/proc/$pid/comm" 2>/dev/null) || break
        ppid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || break
        if [ "$comm" = sshd ] && [ "$pid" != "$listener" ]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        pid=$ppid
    done
}

maybe_drop() {  # call at the start of a stand-in: maybe drop now, or after the work (at exit)
    [ "${SSH_DROP:-0}" != 0 ] || return 0
    if chance "$SSH_DROP"; then
        if chance 0.5; then drop_connection; else trap drop_connection EXIT; fi
    fi
}

slow_install() {
    [ "${SLOW_INSTALL:-0}" = 0 ] || sleep "$SLOW_INSTALL"
}

# ------------------------------------------------------------------------------------------ package
PKG=ec2-instance-connect
PKG_FILES=(eic_run_authorized_keys eic_curl_authorized_keys eic_parse_authorized_keys eic_harvest_hostkeys)

pkg_version() { cat "$RUN/pkg/$PKG" 2>/dev/null; }

# The version a fresh install/upgrade gets on this distro (the image's image.env).
candidate_version() { echo "$PACKAGE_CANDIDATE"; }

# The package's system user, appended in place (the files are bind mounts: never rename over them).
add_eic_user() {
    grep -q "^$PKG:" /etc/passwd && return 0
    if rpm_family; then  # useradd -r -M -s /sbin/nologin; usermod -L
        echo "$PKG:x:996:994::/home/$PKG:/sbin/nologin" >> /etc/passwd
        echo "$PKG:!!:19000::::::" >> /etc/shadow
        echo "$PKG:x:994:" >> /etc/group
    else  # adduser --system --no-create-home --home /nonexistent --group
        echo "$PKG:x:114:121::/nonexistent:/usr/sbin/nologin" >> /etc/passwd
        echo "$PKG:*:19000:0:99999:7:::" >> /etc/shadow
        echo "$PKG:x:121:" >> /etc/group
    fi
}

install_files() {
    local dest f
    if rpm_family; then dest=/opt/aws/bin; else dest=/usr/share/$PKG; fi
    mkdir -p "$dest"
    install -m 0755 -o root -g root "${PKG_FILES[@]/#/$SANDBOX_HOME/pkg/}" "$dest/"
}

# Both packages' refusal test: a (non-comment) AuthorizedKeysCommand, ...User or ...RunAs line in FILE.
has_keys_command() {
    grep -Eq '^[^#]*AuthorizedKeysCommand(User|RunAs)?[[:blank:]]+' "$1"
}

# Amazon Linux 2's package: append the two lines to sshd_config unless sshd_config already has an
# AuthorizedKeysCommand (or ...User / ...RunAs) line; restart sshd only when it changed something.
al2_post_install() {
    local conf=/etc/ssh/sshd_config
    has_keys_command "$conf" && return 0
    [ -z "$(tail -c1 "$conf")" ] || echo >> "$conf"
    printf '%s\n' "AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys %u %f" \
        "AuthorizedKeysCommandUser ec2-instance-connect" >> "$conf"
    if sshd_pid >/dev/null; then restart_sshd || true; fi
}

# Any AuthorizedKeysCommand in sshd_config or a file of sshd_config.d other than the package's own.
foreign_keys_command_in_config() {
    local f
    has_keys_command /etc/ssh/sshd_config && return 0
    for f in /etc/ssh/sshd_config.d/*.conf; do
        [ -f "$f" ] && [ "$f" != /etc/ssh/sshd_config.d/60-ec2-instance-connect.conf ] || continue
        has_keys_command "$f" && return 0
    done
    return 1
}

# EL9's package: /etc/ssh/sshd_config.d/60-ec2-instance-connect.conf (RHEL 9's sshd_config includes
# sshd_config.d/*.conf first, and sshd keeps the first value it reads, so 50-redhat.conf and anything
# sorted before 60- would win); it declines when another AuthorizedKeysCommand is configured.
el9_post_install() {
    local conf=/etc/ssh/sshd_config.d/60-ec2-instance-connect.conf
    foreign_keys_command_in_config && return 0
    [ -d /etc/ssh/sshd_config.d ] || return 0
    printf '%s\n' "AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys %u %f" \
        "AuthorizedKeysCommandUser ec2-instance-connect" > "$conf"
    chmod 0600 "$conf"
    if sshd_pid >/dev/null; then restart_sshd || true; fi
}

# EL8's package (the generic spec's %post): an ExecStart drop-in in /lib/systemd/system/sshd.service.d,
# unless sshd_config sets an AuthorizedKeysCommand(User|RunAs), sshd.service names one, or a drop-in
# there already has an ExecStart; then daemon-reload and restart sshd if it is active.
el8_post_install() {
    local dir=/lib/systemd/system/sshd.service.d
    local override='ExecStart=/usr/sbin/sshd -D -o "AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys %%u %%f" -o "AuthorizedKeysCommandUser ec2-instance-connect" $SSHD_OPTS'
    has_keys_command /etc/ssh/sshd_config && return 0
    if [ -n "$(ls -A "$dir" 2>/dev/null)" ] && grep -Rq "ExecStart" "$dir/"; then return 0; fi
    printf "%s\n%s\n%s\n" "[Service]" "ExecStart=" "$override" > "$dir/ec2-instance-connect.conf"
    daemon_reload
    if sshd_pid >/dev/null; then restart_sshd || true; fi
}

# Ubuntu's postinst (aws-ec2-instance-connect-config debian/postinst), same refusal rules: it reads
# only /etc/ssh/sshd_config (NOT the files an Include pulls in), the ssh.service unit, and refuses if
# any drop-in in /lib/systemd/system/ssh.service.d has an ExecStart.
deb_postinst() {
    local conf=/etc/ssh/sshd_config dir=/lib/systemd/system/ssh.service.d can_modify=1 modified=1
    local override='ExecStart=/usr/sbin/sshd -D -o "AuthorizedKeysCommand /usr/share/ec2-instance-connect/eic_run_authorized_keys %%u %%f" -o "AuthorizedKeysCommandUser ec2-instance-connect" $SSHD_OPTS'
    if ! has_keys_command "$conf" && ! grep -q "AuthorizedKeysCommand" /lib/systemd/system/ssh.service 2>/dev/null; then
        if [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
            grep -Rq "ExecStart" "$dir/" || can_modify=0
        else
            can_modify=0  # (the real one mkdirs the directory here; ours always exists as a mount)
        fi
        if [ "$can_modify" -eq 0 ]; then
            printf "%s\n%s\n%s\n" "[Service]" "ExecStart=" "$override" > "$dir/ec2-instance-connect.conf"
            modified=0
        fi
    fi
    if [ "$modified" -eq 0 ]; then
        daemon_reload
        echo "sshd override added, restarting daemon"
        if sshd_pid >/dev/null; then restart_sshd || true; fi
    fi
}

# Install (or upgrade to) VERSION, by default the candidate: files, user, then the distro's
# post-install step. nsinit.sh runs it too, at first boot, for a row whose image comes with the package.
install_package() {
    local version=${1:-$PACKAGE_CANDIDATE}
    slow_install
    add_eic_user
    install_files
    mkdir -p "$RUN/pkg"
    echo "$version" > "$RUN/pkg/$PKG"
    case "$(eic_config)" in
        sshd_config) al2_post_install ;;
        sshd_config.d) el9_post_install ;;
        *) if rpm_family; then el8_post_install; else deb_postinst; fi ;;
    esac
}

# The selinux companion package AWS publishes for RHEL (ec2-instance-connect-selinux): a policy
# module that lets sshd run the helper; without SELinux here it only records its version.
install_selinux_package() {
    mkdir -p "$RUN/pkg"
    echo "${1:-$SELINUX_CANDIDATE}" > "$RUN/pkg/$PKG-selinux"
}

need_root() {
    [ "$(id -u)" -eq 0 ]
}
