/// The one read-only compound command that gathers a host's facts (design §5, step 2).
///
/// It only reads: os-release, which tools exist, the package database, `sshd -T` (as root, else via
/// `sudo -n`, which never prompts), sshd_config with the files it Includes, and ssh(d).service units
/// with their drop-ins. Every part is tagged with an `@@EIC` line; file bodies are base64 so no content
/// can forge a tag. `ProbeOutputParser` reads the answer.
public enum HostProbe {
    /// The format version written in the `begin` tag; the parser refuses others.
    public static let formatVersion = "1"

    /// The probe as one remote command, run by `sh` whatever the login shell is.
    public static var command: RemoteCommand { .script(script) }

    /// The probe script (POSIX sh).
    public static let script = #"""
    export LC_ALL=C PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"
    m() { printf '@@EIC %s\n' "$*"; }
    m begin 1
    m os-release
    { cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null; } | base64
    t=""
    for x in apt-get dpkg-query yum dnf rpm zypper sudo; do command -v "$x" >/dev/null 2>&1 && t="$t $x"; done
    m tools$t
    if command -v dpkg-query >/dev/null 2>&1; then
      m package dpkg $(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' ec2-instance-connect 2>/dev/null)
    elif command -v rpm >/dev/null 2>&1; then
      if v=$(rpm -q --qf '%{VERSION}-%{RELEASE}' ec2-instance-connect 2>/dev/null); then m package rpm ii "$v"; else m package rpm un; fi
    else
      m package none
    fi
    S=$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)
    if [ "$(id -u)" = 0 ]; then w=root; o=$("$S" -T 2>&1); r=$?
    elif command -v sudo >/dev/null 2>&1; then w=sudo; o=$(sudo -n "$S" -T 2>&1); r=$?
    else w=none; o="no sudo"; r=127; fi
    m sshd-t "$w" "$r"
    printf '%s\n' "$o" | base64
    seen=" "
    for d in /etc/systemd/system /run/systemd/system /usr/local/lib/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
      for u in ssh sshd; do
        for f in "$d/$u.service" "$d/$u.service.d"/*.conf; do
          [ -f "$f" ] || continue
          c=$(readlink -f "$f" 2>/dev/null || printf '%s' "$f")
          case "$seen" in *" $c "*) continue;; esac
          seen="$seen$c "
          m unit "$f" "$c"
          base64 <"$f"
        done
      done
    done
    q=/etc/ssh/sshd_config; n=0; seen=" "
    while [ -n "$q" ] && [ "$n" -lt 64 ]; do
      n=$((n+1)); set -f; set -- $q; set +f; f=$1; shift; q="$*"
      case "$seen" in *" $f "*) continue;; esac
      seen="$seen$f "
      if ! b=$(cat "$f" 2>/dev/null || sudo -n cat "$f" 2>/dev/null); then m unreadable "$f"; continue; fi
      m config "$f"
      printf '%s\n' "$b" | base64
      set -f
      for p in $(printf '%s\n' "$b" | sed -n 's/^[[:space:]]*[Ii][Nn][Cc][Ll][Uu][Dd][Ee][[:space:]=]\{1,\}//p'); do
        case "$p" in /*) ;; *) p="/etc/ssh/$p";; esac
        set +f
        for g in $p; do [ -f "$g" ] && q="$q $g"; done
        set -f
      done
      set +f
    done
    m end
    """#
}
