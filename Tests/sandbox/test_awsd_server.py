"""awsd end to end: one real awsd (sandbox/awsd.py, moto behind the middleware) on a free loopback port
in a temporary state directory, driven by botocore and the AWS CLI (.venv/bin/aws) with authentication on.

  * accounting: GET /_sandbox/calls, POST /_sandbox/calls/reset
  * IAM quotas refused with AWS's error code (LimitExceeded)
  * role sessions: sts:AssumeRole (trust policy naming the account root) + SendSSHPublicKey evaluated
    against the role's policies
  * DescribeInstances judged like AWS (Resource "*", no instance conditions)
  * an unimplemented condition operator is refused loudly (awsd log) and denies
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
AWS_CLI = os.path.join(ROOT, ".venv", "bin", "aws")
sys.path.insert(0, os.path.join(ROOT, "sandbox"))
from localaws import quotas  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
PUBKEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBRYtYE7f9rPpcnzbTxE2FQg9bcvdAhpKWUl0Sp4dTHa test@sandbox"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def sized_document(characters):
    base = {"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Action": "ec2:DescribeInstances",
                                                     "Resource": "*"}]}
    base["Statement"][0]["Sid"] = "A" * (characters - quotas.policy_size(json.dumps(base)))
    return json.dumps(base, indent=2)


@unittest.skipUnless(os.access(PYTHON, os.X_OK), "no .venv (run scripts/setup.sh)")
class AwsdServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import botocore.session
        cls.botocore = botocore.session.get_session()
        cls.state = tempfile.mkdtemp(prefix="awsd-test-")
        cls.log = open(os.path.join(cls.state, "awsd.log"), "w+")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
        cls.process = subprocess.Popen(
            [PYTHON, os.path.join(ROOT, "sandbox", "awsd.py"), "--port", "0", "--state-dir", cls.state,
             "--exit-with-parent", str(os.getpid())], stdout=cls.log, stderr=subprocess.STDOUT, env=env)
        port_file = os.path.join(cls.state, "awsd.port")
        deadline = time.time() + 120
        while not os.path.exists(port_file):
            if cls.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("awsd did not start: " + open(cls.log.name).read())
            time.sleep(0.1)
        with open(port_file) as port:
            cls.endpoint = f"http://127.0.0.1:{port.read().strip()}"
        # Setup before authentication is on (any key works), then switch it on.
        boot = ("AKIABOOTSTRAP0000000", "bootstrap", None)
        iam = cls.client("iam", boot)
        iam.create_user(UserName="admin")
        iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=ALLOW_ALL)
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        cls.admin = (key["AccessKeyId"], key["SecretAccessKey"], None)
        ec2 = cls.client("ec2", boot)
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        vpc = ec2.create_vpc(CidrBlock="127.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="127.0.1.0/24")["Subnet"]["SubnetId"]
        instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet,
                                     PrivateIpAddress="127.0.1.10",
                                     TagSpecifications=[{"ResourceType": "instance",
                                                         "Tags": [{"Key": "Fleet", "Value": "sandbox"}]}])
        cls.instance = instance["Instances"][0]["InstanceId"]
        cls.instance_arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{cls.instance}"
        cls.sandbox("POST", "/_sandbox/auth-on")

    @classmethod
    def tearDownClass(cls):
        cls.process.terminate()
        cls.process.wait(10)
        cls.log.close()
        shutil.rmtree(cls.state, ignore_errors=True)

    # ------------------------------------------------------------------ helpers
    @classmethod
    def client(cls, service, credentials=None):
        access, secret, token = credentials or cls.admin
        return cls.botocore.create_client(service, region_name=REGION, endpoint_url=cls.endpoint,
                                          aws_access_key_id=access, aws_secret_access_key=secret,
                                          aws_session_token=token)

    @classmethod
    def sandbox(cls, method, path):
        request = urllib.request.Request(cls.endpoint + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read().decode()

    def cli(self, credentials, *args):
        access, secret, token = credentials
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=access, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION=REGION,
                   AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_MAX_ATTEMPTS="1")
        if token:
            env["AWS_SESSION_TOKEN"] = token
        return subprocess.run([AWS_CLI, "--endpoint-url", self.endpoint, "--output", "json", *args],
                              env=env, capture_output=True, text=True, timeout=120)

    def assertCode(self, code, call, *args, **kwargs):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        self.assertEqual(caught.exception.response["Error"]["Code"], code, caught.exception.response)
        return caught.exception.response

    def user(self, name, document):
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=document)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"], None

    def role(self, name, trust_account=ACCOUNT, inline=None):
        iam = self.client("iam")
        trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{trust_account}:root"},
                        "Action": "sts:AssumeRole"})
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        if inline:
            iam.put_role_policy(RoleName=name, PolicyName="eic", PolicyDocument=inline)
        return arn

    def push_allowed(self, osuser="ec2-user", resource=None):
        return policy({"Effect": "Allow", "Action": "ec2-instance-connect:SendSSHPublicKey",
                       "Resource": resource or self.instance_arn, "Condition": {"StringEquals": {"ec2:osuser": osuser}}})

    # ------------------------------------------------------------------ accounting (issue 10)
    def test_calls_are_accounted(self):
        self.sandbox("POST", "/_sandbox/calls/reset")
        ec2, iam = self.client("ec2"), self.client("iam")
        ec2.describe_instances()
        ec2.describe_security_groups()
        iam.create_policy(PolicyName="accounted", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}))
        self.client("sts").get_caller_identity()
        self.assertCode("NoSuchEntity", iam.get_user, UserName="nobody")
        calls = json.loads(self.sandbox("GET", "/_sandbox/calls"))
        self.assertEqual(calls["by_action"], {"ec2:DescribeInstances": 1, "ec2:DescribeSecurityGroups": 1,
                                              "iam:CreatePolicy": 1, "iam:GetUser": 1, "sts:GetCallerIdentity": 1})
        self.assertEqual(calls["mutating"], 1)
        self.assertEqual(calls["mutating_by_action"], {"iam:CreatePolicy": 1})
        self.assertEqual(calls["total"], 5)
        self.assertEqual({c["caller"] for c in calls["calls"]}, {f"arn:aws:iam::{ACCOUNT}:user/admin"})
        self.assertEqual([c["status"] for c in calls["calls"] if c["action"] == "GetUser"], [404])
        self.sandbox("GET", "/_sandbox/health")  # /_sandbox/* is not an AWS call
        self.sandbox("POST", "/_sandbox/calls/reset")
        self.assertEqual(json.loads(self.sandbox("GET", "/_sandbox/calls"))["total"], 0)

    # ------------------------------------------------------------------ quotas (issue 14)
    def test_managed_policy_size_quota_with_the_cli(self):
        ok = self.cli(self.admin, "iam", "create-policy", "--policy-name", "fits",
                      "--policy-document", sized_document(6144))
        self.assertEqual(ok.returncode, 0, ok.stderr)
        refused = self.cli(self.admin, "iam", "create-policy", "--policy-name", "too-big",
                           "--policy-document", sized_document(6145))
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("(LimitExceeded)", refused.stderr)
        self.assertIn("Cannot exceed quota for PolicySize: 6144", refused.stderr)
        arn = json.loads(ok.stdout)["Policy"]["Arn"]
        self.assertCode("LimitExceeded", self.client("iam").create_policy_version, PolicyArn=arn,
                        PolicyDocument=sized_document(6145), SetAsDefault=True)

    def test_versions_per_policy(self):
        iam = self.client("iam")
        arn = iam.create_policy(PolicyName="versions", PolicyDocument=sized_document(200))["Policy"]["Arn"]
        for _ in range(4):
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=sized_document(200), SetAsDefault=True)
        response = self.assertCode("LimitExceeded", iam.create_policy_version, PolicyArn=arn,
                                   PolicyDocument=sized_document(200), SetAsDefault=True)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 409)

    def test_inline_policy_aggregate_sizes(self):
        iam = self.client("iam")
        iam.create_user(UserName="inline-user")
        iam.put_user_policy(UserName="inline-user", PolicyName="a", PolicyDocument=sized_document(1500))
        self.assertCode("LimitExceeded", iam.put_user_policy, UserName="inline-user", PolicyName="b",
                        PolicyDocument=sized_document(600))
        iam.put_user_policy(UserName="inline-user", PolicyName="a", PolicyDocument=sized_document(2048))  # replaces
        iam.create_group(GroupName="inline-group")
        iam.put_group_policy(GroupName="inline-group", PolicyName="a", PolicyDocument=sized_document(5120))
        self.assertCode("LimitExceeded", iam.put_group_policy, GroupName="inline-group", PolicyName="b",
                        PolicyDocument=sized_document(100))
        self.role("inline-role")
        iam.put_role_policy(RoleName="inline-role", PolicyName="a", PolicyDocument=sized_document(10000))
        self.assertCode("LimitExceeded", iam.put_role_policy, RoleName="inline-role", PolicyName="b",
                        PolicyDocument=sized_document(241))

    def test_managed_policies_per_principal(self):
        iam = self.client("iam")
        arns = [iam.create_policy(PolicyName=f"many-{i}", PolicyDocument=sized_document(100))["Policy"]["Arn"]
                for i in range(11)]
        iam.create_user(UserName="attach-user")
        iam.create_group(GroupName="attach-group")
        self.role("attach-role")
        for kind, attach, name in (("user", iam.attach_user_policy, {"UserName": "attach-user"}),
                                   ("group", iam.attach_group_policy, {"GroupName": "attach-group"}),
                                   ("role", iam.attach_role_policy, {"RoleName": "attach-role"})):
            for arn in arns[:10]:
                attach(PolicyArn=arn, **name)
            attach(PolicyArn=arns[3], **name)  # already attached: fine
            with self.subTest(kind):
                self.assertCode("LimitExceeded", attach, PolicyArn=arns[10], **name)

    # ------------------------------------------------------------------ role sessions (issue 14)
    def assume(self, caller, role_arn):
        answer = self.cli(caller, "sts", "assume-role", "--role-arn", role_arn, "--role-session-name", "eic-session")
        self.assertEqual(answer.returncode, 0, answer.stderr)
        creds = json.loads(answer.stdout)["Credentials"]
        return creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]

    def push(self, credentials, osuser="ec2-user"):
        return self.cli(credentials, "ec2-instance-connect", "send-ssh-public-key", "--instance-id", self.instance,
                        "--instance-os-user", osuser, "--ssh-public-key", PUBKEY)

    def test_role_session_pushes_key_only_when_its_role_allows(self):
        operator = self.user("operator", policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
        allowed = self.assume(operator, self.role("eic-role", inline=self.push_allowed()))
        answer = self.push(allowed)
        self.assertEqual(answer.returncode, 0, answer.stderr)
        self.assertTrue(json.loads(answer.stdout)["Success"])
        self.assertIn(PUBKEY, self.sandbox("GET", f"/_sandbox/keys/{self.instance}/ec2-user"))
        pushes = [c for c in json.loads(self.sandbox("GET", "/_sandbox/calls"))["calls"]
                  if c["action"] == "SendSSHPublicKey" and c["status"] == 200]
        self.assertEqual(pushes[-1]["caller"], f"arn:aws:sts::{ACCOUNT}:assumed-role/eic-role/eic-session")
        self.assertTrue(pushes[-1]["mutating"])
        denied = self.push(allowed, osuser="root")
        self.assertIn("AccessDeniedException", denied.stderr)
        self.assertIn(f"assumed-role/eic-role/eic-session is not authorized", denied.stderr)

        bare = self.assume(operator, self.role("no-eic-role"))
        denied = self.push(bare)
        self.assertNotEqual(denied.returncode, 0)
        self.assertIn("AccessDeniedException", denied.stderr)
        self.assertNotIn("UnrecognizedClientException", denied.stderr)

    def test_role_session_uses_attached_policies_and_principal_arn(self):
        iam = self.client("iam")
        arn = iam.create_policy(PolicyName="eic-by-role-arn", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "ec2-instance-connect:SendSSHPublicKey", "Resource": "*",
             "Condition": {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/attached-role"}}}))["Policy"]["Arn"]
        self.role("attached-role")
        iam.attach_role_policy(RoleName="attached-role", PolicyArn=arn)
        session = self.assume(self.admin, f"arn:aws:iam::{ACCOUNT}:role/attached-role")
        answer = self.push(session)
        self.assertEqual(answer.returncode, 0, answer.stderr)

    def test_assume_role_needs_a_trusting_role(self):
        sts = self.client("sts")
        self.assertCode("AccessDenied", sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/missing",
                        RoleSessionName="ss")
        foreign = self.role("foreign-trust", trust_account="999999999999")
        self.assertCode("AccessDenied", sts.assume_role, RoleArn=foreign, RoleSessionName="ss")

    # ------------------------------------------------------------------ DescribeInstances, operators (issue 14)
    def test_describe_instances_judged_like_aws(self):
        tagged = self.user("viewer-tagged", policy({"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*",
                                                    "Condition": {"StringEquals": {"aws:ResourceTag/Fleet": "sandbox"}}}))
        self.assertCode("UnauthorizedOperation", self.client("ec2", tagged).describe_instances)
        by_arn = self.user("viewer-arn", policy({"Effect": "Allow", "Action": "ec2:DescribeInstances",
                                                 "Resource": "arn:aws:ec2:*:*:instance/*"}))
        self.assertCode("UnauthorizedOperation", self.client("ec2", by_arn).describe_instances)
        plain = self.user("viewer", policy({"Effect": "Allow", "Action": "ec2:describeinstances", "Resource": "*"}))
        reservations = self.client("ec2", plain).describe_instances()["Reservations"]
        self.assertIn(self.instance, [i["InstanceId"] for r in reservations for i in r["Instances"]])

    def test_no_tracebacks_in_the_log(self):
        self.client("ec2").describe_instances()
        self.log.flush()
        with open(self.log.name) as log:
            self.assertNotIn("Traceback", log.read())

    def test_unimplemented_operator_is_refused_loudly(self):
        numeric = self.user("numeric", policy({
            "Effect": "Allow", "Action": "ec2-instance-connect:SendSSHPublicKey", "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}))
        answer = self.push(numeric)
        self.assertIn("AccessDeniedException", answer.stderr)
        self.log.flush()
        with open(self.log.name) as log:
            self.assertIn("REFUSED policy statement", log.read())


if __name__ == "__main__":
    unittest.main()
