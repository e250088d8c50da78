#!/usr/bin/env bash
# The end-to-end demo on the local sandbox (needs root): installs what is missing, builds eicsetup,
# starts a local AWS and a 12-instance fleet (one of each personality), shows what eicsetup sees, and
# stops everything again — also on failure or Ctrl-C.
#
# Then the onboarding: validate → plan → apply → plan shows nothing left but the unfixable hosts →
# verify as eic-user (a real EIC login per host, with diagnoses) → logins as eic-user with the AWS CLI +
# OpenSSH and with eicsetup ssh on a host that apply just onboarded → down.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "demo: building eicsetup (release)"
swift build -c release 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" | tail -n 3
bin=$(swift build -c release --show-bin-path)/eicsetup
state=/tmp/eicsetup-demo
export AWS_EC2_METADATA_DISABLED=true

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() { step "eicsetup sandbox down"; "$bin" sandbox down --state-dir "$state" || true; }
trap cleanup EXIT

"$bin" sandbox down --state-dir "$state" >/dev/null 2>&1 || true
step "eicsetup sandbox up --instances 12 (one instance of each personality)"
"$bin" sandbox up --state-dir "$state" --instances 12 --subnet 200
eval "$("$bin" sandbox env --state-dir "$state")"

step "eicsetup whoami (admin)"
"$bin" whoami

step "eicsetup sandbox status"
"$bin" sandbox status --state-dir "$state"

ip_of() { "$bin" sandbox status --state-dir "$state" --json |
    .venv/bin/python -c "import json,sys; print([i[sys.argv[2]] for i in json.load(sys.stdin)['status']['instances'] if i['personality']==sys.argv[1]][0])" "$1" "${2:-ip_address}"; }

step "eicsetup inspect conflict-include: the read-only probe plan runs on every host"
"$bin" inspect --host "$(ip_of conflict-include)" --user ubuntu --identity-file "$EICSETUP_SANDBOX_KEY" \
    --known-hosts "$EICSETUP_SANDBOX_KNOWN_HOSTS" || true

step "eicsetup validate playbooks/sandbox.json"
"$bin" validate playbooks/sandbox.json

step "eicsetup plan playbooks/sandbox.json (reads only)"
"$bin" plan playbooks/sandbox.json || true

step "eicsetup apply playbooks/sandbox.json --auto-approve (exit 1: five hosts cannot be onboarded, by design)"
"$bin" apply playbooks/sandbox.json --auto-approve || echo "(apply exited $?)"

step "eicsetup plan again: nothing left to do but the unfixable hosts"
"$bin" plan playbooks/sandbox.json --detailed-exitcode | grep -v '^      now:' || true

step "eicsetup verify as eic-user: a real EIC login on every host, a diagnosis for each that fails (exit 1 here, by design)"
eval "$("$bin" sandbox env --state-dir "$state" --as eic-user)"
"$bin" verify playbooks/sandbox.json || echo "(verify exited $?)"

step "EC2 Instance Connect on al2-old (just onboarded), as eic-user with the AWS CLI + OpenSSH"
ip=$(ip_of al2-old)
id=$(ip_of al2-old instance_id)
key=$(mktemp -d)/eic
ssh-keygen -q -t ed25519 -N '' -f "$key"
eval "$("$bin" sandbox env --state-dir "$state" --as eic-user)"
"$bin" whoami | head -2
echo "pushing a 60-second key for ec2-user@$id …"
.venv/bin/aws ec2-instance-connect send-ssh-public-key --instance-id "$id" --instance-os-user ec2-user \
    --ssh-public-key "file://$key.pub" --output text
ssh -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$EICSETUP_SANDBOX_KNOWN_HOSTS" "ec2-user@$ip" \
    'echo "logged in as $(id -un) on $(. /etc/os-release; echo $PRETTY_NAME) with an EIC key"'
rm -rf "$(dirname "$key")"

step "eicsetup ssh as eic-user: an ephemeral in-memory key, pushed and used (no EC2 call with --address)"
"$bin" ssh --known-hosts "$EICSETUP_SANDBOX_KNOWN_HOSTS" --address "$ip" "ec2-user@$id" -- \
    sh -c 'echo "logged in as $(id -un) on $(. /etc/os-release; echo $PRETTY_NAME) with eicsetup ssh"'

