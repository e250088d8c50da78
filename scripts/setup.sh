#!/usr/bin/env bash
# Installs what eicsetup's build, tests and sandbox need, only where it is missing:
#   Debian packages (C libraries, OpenSSH server and client, tools the sandbox uses) and
#   a project-local virtualenv (.venv) holding moto[server] for the local AWS.
# Safe to run again; it changes nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libssh2-1-dev libssl-dev openssl pkg-config openssh-server openssh-client sudo curl iproute2 util-linux procps python3-venv tmux strace time)
missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "setup: installing Debian packages: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: need root to install ${missing[*]} (run as root, or install them yourself)" >&2
        exit 1
    fi
    # policy-rc.d keeps the openssh-server package from starting a system-wide sshd on 0.0.0.0:22,
    # which would take the port every sandbox instance needs on its own loopback address.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${EICSETUP_PYTHON:-python3}
# moto[server] is the local AWS; awscli is the independent client the demo and manual checks use.
if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import moto.server, werkzeug, awscli' 2>/dev/null; then
    echo "setup: creating .venv with moto[server] and awscli"
    [[ -x .venv/bin/python ]] || "$python" -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]>=5.0,<6' awscli
fi
echo "setup: ready (swift $(swift --version 2>/dev/null | head -1 | sed 's/.*version \([^ ]*\).*/\1/'), moto $(.venv/bin/python -c 'import moto; print(moto.__version__)'))"
