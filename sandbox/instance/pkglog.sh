# shellcheck shell=bash
# The per-instance log of mutating package-manager commands, so tests and benchmarks can count what
# was run on each instance (e.g. "a second apply runs no package command"). Sourced by lib.sh; only
# needs RUN (the instance's state directory: /var/lib/eicsandbox inside the instance = ROOTDIR/run on
# the host).
#
# $RUN/package-commands.log: one line per mutating invocation of a stand-in, appended before it does
# anything (so failed, refused and "nothing to do" runs count too), tab-separated:
#   <UTC time, 2026-11-27T13:05:09.123Z> <uid> <program> <arguments, space-separated>
# Mutating: yum/dnf install|update|upgrade|reinstall|downgrade|remove|erase; apt-get/apt update|install|
# upgrade|dist-upgrade|full-upgrade|remove|purge|reinstall|autoremove; systemctl restart|try-restart|
# reload-or-restart|try-reload-or-restart|condrestart|start|stop|reload|daemon-reload|enable|disable|
# mask|unmask. Queries (rpm, dpkg-query, dpkg -s, yum list/info, systemctl is-active/status/cat/show)
# are not logged. Invocations by non-root users (which the stand-ins refuse) are logged only if
# they can write the file (normally not: ROOTDIR/run belongs to root).
PACKAGE_LOG_NAME=package-commands.log

# package_command_verb PROGRAM ARGS... -> the subcommand (first non-option argument)
package_command_verb() {
    local program=$1 skip=0 arg
    shift
    for arg in "$@"; do
        if [ "$skip" -eq 1 ]; then skip=0; continue; fi
        case "$program:$arg" in
            apt-get:-o|apt-get:--option|apt-get:-c|apt-get:--config-file|apt-get:-t|apt-get:--target-release|apt:-o|apt:--option|apt:-c|apt:-t)
                skip=1 ;;
            yum:-e|yum:-d|yum:-c|yum:-R|dnf:-e|dnf:-d|dnf:-c|dnf:-R|systemctl:-p|systemctl:--property|systemctl:-t|systemctl:--type|systemctl:-H|systemctl:-M)
                skip=1 ;;
            *:-*) ;;
            *) printf '%s\n' "$arg"; return 0 ;;
        esac
    done
    return 0
}

package_command_mutates() {  # package_command_mutates PROGRAM ARGS...
    local program=${1##*/} verb
    shift
    verb=$(package_command_verb "$program" "$@")
    case "$program:$verb" in
        yum:install|yum:update|yum:upgrade|yum:reinstall|yum:downgrade|yum:remove|yum:erase) return 0 ;;
        dnf:install|dnf:update|dnf:upgrade|dnf:reinstall|dnf:downgrade|dnf:remove|dnf:erase) return 0 ;;
        apt-get:update|apt-get:install|apt-get:upgrade|apt-get:dist-upgrade|apt-get:full-upgrade|apt-get:remove|apt-get:purge|apt-get:reinstall|apt-get:autoremove) return 0 ;;
        apt:update|apt:install|apt:upgrade|apt:dist-upgrade|apt:full-upgrade|apt:remove|apt:purge|apt:reinstall|apt:autoremove) return 0 ;;
        systemctl:restart|systemctl:try-restart|systemctl:reload-or-restart|systemctl:try-reload-or-restart|systemctl:condrestart) return 0 ;;
        systemctl:start|systemctl:stop|systemctl:reload|systemctl:daemon-reload|systemctl:enable|systemctl:disable|systemctl:mask|systemctl:unmask) return 0 ;;
    esac
    return 1
}

log_package_command() {  # log_package_command PROGRAM ARGS...  (never fails, prints nothing)
    package_command_mutates "$@" || return 0
    local program=${1##*/}
    shift
    { printf '%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$(id -u)" "$program" "$*" \
        >> "$RUN/$PACKAGE_LOG_NAME"; } 2>/dev/null || true
}
