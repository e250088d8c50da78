#!/bin/bash
# dev-up.sh [STATE_DIR] [PERSONALITY ...] — a sandbox for MANUAL testing of the pieces in sandbox/
# (awsd, mkroot.sh, start.sh, stand-ins). The real orchestration is `eicsetup sandbox up`; this script
# exists so the non-Swift parts can be exercised with the AWS CLI and OpenSSH alone.
# Defaults: STATE_DIR=/tmp/eicsandbox-dev, personalities = the default mix of 12.
# Writes STATE_DIR/env (source it: AWS_* for the admin, EIC_USER_* keys, FLEET_KEY, KNOWN_HOSTS),
# STATE_DIR/instances.tsv (id, ip, personality, user, rootdir, pid). Stop with dev-down.sh STATE_DIR.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${EICSETUP_VENV:-$HERE/../.venv}
STATE=${1:-/tmp/eicsandbox-dev}
shift || true
if [ "$#" -gt 0 ]; then MIX=("$@"); else
    MIX=(al2-old al2-current ubuntu-16.04 ubuntu-18.04 ubuntu-20.04 ubuntu-22.04 al2-pkg-1.1-12
         conflict-sshd-config conflict-include unreachable hostkey-changed sudo-password)
fi
PORT=${EICSETUP_SANDBOX_PORT:-4599}
ENDPOINT="http://127.0.0.1:$PORT"

[ ! -e "$STATE/awsd.pid" ] || { echo "dev-up: $STATE is in use; run dev-down.sh $STATE first" >&2; exit 1; }
mkdir -p "$STATE/instances"
"$HERE/instance/hostprep.sh"

# 1. awsd; wait for the port with a TCP connect (an HTTP request would count towards moto's auth)
setsid "$VENV/bin/python" "$HERE/awsd.py" --port "$PORT" --state-dir "$STATE" ${EICSETUP_SANDBOX_FAULTS:+--faults "$EICSETUP_SANDBOX_FAULTS"} \
    </dev/null >>"$STATE/awsd.log" 2>&1 &
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
rm -f "$STATE/fleet_key" "$STATE/fleet_key.pub"  # a leftover from an earlier run would make ssh-keygen prompt
ssh-keygen -q -t ed25519 -N '' -C sandbox-fleet -f "$STATE/fleet_key"

# 2. AWS side with boto3 (auth still off), then switch authentication on
"$VENV/bin/python" - "$ENDPOINT" "$STATE" "${MIX[@]}" <<'PY'
import boto3, json, sys, urllib.request
endpoint, state, mix = sys.argv[1], sys.argv[2], sys.argv[3:]
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="AKIASETUP", aws_secret_access_key="setup")
iam, ec2 = boto3.client("iam", **kw), boto3.client("ec2", **kw)
iam.create_user(UserName="admin")
admin = iam.create_access_key(UserName="admin")["AccessKey"]
iam.put_user_policy(UserName="admin", PolicyName="admin", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
iam.create_user(UserName="eic-user")
eic = iam.create_access_key(UserName="eic-user")["AccessKey"]
vpc = ec2.create_vpc(CidrBlock="127.0.0.0/16")["Vpc"]["VpcId"]
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="127.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
sg = ec2.create_security_group(GroupName="sandbox-fleet", Description="sandbox fleet", VpcId=vpc)["GroupId"]
ami = ec2.describe_images()["Images"][0]["ImageId"]
rows = []
for n, personality in enumerate(mix, start=10):
    ip = f"127.0.1.{n}"
    inst = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[sg],
                             PrivateIpAddress=ip, InstanceType="t3.micro", TagSpecifications=[{"ResourceType": "instance",
                             "Tags": [{"Key": "Name", "Value": f"sandbox-{personality}"}, {"Key": "Fleet", "Value": "sandbox"},
                                      {"Key": "Personality", "Value": personality}]}])["Instances"][0]
    rows.append((inst["InstanceId"], ip, personality))
with open(f"{state}/instances.tsv", "w") as out:
    for row in rows:
        out.write("\t".join(row) + "\n")
with open(f"{state}/env", "w") as out:
    out.write(f"export AWS_ENDPOINT_URL={endpoint}\nexport AWS_REGION=us-east-1\nexport AWS_DEFAULT_REGION=us-east-1\n"
              f"export AWS_ACCESS_KEY_ID={admin['AccessKeyId']}\nexport AWS_SECRET_ACCESS_KEY={admin['SecretAccessKey']}\n"
              f"export EIC_USER_ACCESS_KEY_ID={eic['AccessKeyId']}\nexport EIC_USER_SECRET_ACCESS_KEY={eic['SecretAccessKey']}\n"
              f"export FLEET_KEY={state}/fleet_key\nexport KNOWN_HOSTS={state}/known_hosts\nexport AWS_PAGER=\n")
urllib.request.urlopen(urllib.request.Request(endpoint + "/_sandbox/auth-on", method="POST")).read()
PY

# 3. the fleet
: > "$STATE/known_hosts"
: > "$STATE/instances.full.tsv"
while IFS=$'\t' read -r id ip personality; do
    root="$STATE/instances/$id"
    "$HERE/instance/mkroot.sh" "$personality" "$root" "$id" "$ip" "$ENDPOINT" "$STATE/fleet_key.pub"
    pid=$("$HERE/instance/start.sh" "$root" "$ip")
    cat "$root/known_hosts_line" >> "$STATE/known_hosts"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$ip" "$personality" "$(cat "$root/login_user")" "$root" "$pid" >> "$STATE/instances.full.tsv"
done < "$STATE/instances.tsv"
mv "$STATE/instances.full.tsv" "$STATE/instances.tsv"
column -t "$STATE/instances.tsv"
echo "source $STATE/env"
