"""The middleware alone (sandbox/localaws/middleware.py), in front of a stand-in WSGI app instead of
moto: request parsing, call accounting, faults, the /_sandbox/* endpoints. No server, no network."""
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sandbox"))
from localaws import middleware  # noqa: E402

SIGNED = ("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE0000000000/20261127/{region}/{service}/aws4_request, "
          "SignedHeaders=host;x-amz-date, Signature=abc")


def environ(path="/", body=b"", method="POST", service=None, region="us-east-1", target=None, query=""):
    env = {"PATH_INFO": path, "REQUEST_METHOD": method, "QUERY_STRING": query, "CONTENT_LENGTH": str(len(body)),
           "wsgi.input": io.BytesIO(body), "HTTP_HOST": "127.0.0.1:4599"}
    if service:
        env["HTTP_AUTHORIZATION"] = SIGNED.format(region=region, service=service)
    if target:
        env["HTTP_X_AMZ_TARGET"] = target
    return env


class Downstream:
    """Answers every request with `status`, remembering what reached it."""

    def __init__(self, status="200 OK"):
        self.status = status
        self.seen = []

    def __call__(self, env, start_response):
        self.seen.append(env["wsgi.input"].read())
        start_response(self.status, [("Content-Type", "text/xml")])
        return [b"<ok/>"]


def call(app, env):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status
    body = b"".join(app(env, start_response))
    return answer["status"], body


class RequestParsing(unittest.TestCase):
    def test_query_protocol(self):
        r = middleware.Request(environ(body=b"Action=DescribeInstances&Version=2016-11-15", service="ec2"), "us-east-1")
        self.assertEqual((r.service, r.action, r.access_key, r.region), ("ec2", "DescribeInstances", "AKIAEXAMPLE0000000000", "us-east-1"))

    def test_json_protocol(self):
        r = middleware.Request(environ(body=b'{"InstanceId": "i-1"}', service="ec2-instance-connect", region="eu-west-1",
                                       target="AWSEC2InstanceConnectService.SendSSHPublicKey"), "us-east-1")
        self.assertEqual((r.service, r.action, r.region), ("ec2-instance-connect", "SendSSHPublicKey", "eu-west-1"))

    def test_unsigned_request_service_from_api_version(self):
        r = middleware.Request(environ(body=b"Action=CreateUser&Version=2010-05-08&UserName=a"), "us-east-1")
        self.assertEqual((r.service, r.action, r.access_key), ("iam", "CreateUser", None))
        r = middleware.Request(environ(method="GET", query="Action=GetCallerIdentity&Version=2011-06-15"), "us-east-1")
        self.assertEqual((r.service, r.action), ("sts", "GetCallerIdentity"))

    def test_body_is_put_back_for_moto(self):
        env = environ(body=b"Action=ListUsers&Version=2010-05-08", service="iam")
        middleware.Request(env, "us-east-1")
        self.assertEqual(env["wsgi.input"].read(), b"Action=ListUsers&Version=2010-05-08")


class Accounting(unittest.TestCase):
    def setUp(self):
        self.state = tempfile.TemporaryDirectory()
        self.downstream = Downstream()
        self.app = middleware.Sandbox(self.downstream, self.state.name, "us-east-1", {}, 1)

    def tearDown(self):
        self.state.cleanup()

    def calls(self):
        status, body = call(self.app, environ("/_sandbox/calls", method="GET"))
        self.assertEqual(status, "200 OK")
        return json.loads(body)

    def test_every_aws_call_is_recorded_sandbox_endpoints_are_not(self):
        call(self.app, environ(body=b"Action=DescribeInstances&Version=2016-11-15", service="ec2"))
        call(self.app, environ(body=b"Action=CreatePolicy&Version=2010-05-08&PolicyName=p", service="iam"))
        self.downstream.status = "409 Conflict"
        call(self.app, environ(body=b"Action=AttachUserPolicy&Version=2010-05-08", service="iam"))
        call(self.app, environ("/_sandbox/health", method="GET"))
        calls = self.calls()
        self.assertEqual(calls["total"], 3)
        self.assertEqual(calls["mutating"], 2)
        self.assertEqual(calls["by_action"], {"ec2:DescribeInstances": 1, "iam:AttachUserPolicy": 1, "iam:CreatePolicy": 1})
        self.assertEqual([c["status"] for c in calls["calls"]], [200, 200, 409])
        self.assertEqual(calls["calls"][0]["caller"], "AKIAEXAMPLE0000000000")  # unknown to IAM: the key id
        self.assertEqual(len(self.downstream.seen), 3)

    def test_reset_needs_post(self):
        call(self.app, environ(body=b"Action=ListUsers&Version=2010-05-08", service="iam"))
        status, _ = call(self.app, environ("/_sandbox/calls/reset", method="GET"))
        self.assertEqual(status, "405 Method Not Allowed")
        self.assertEqual(self.calls()["total"], 1)
        status, _ = call(self.app, environ("/_sandbox/calls/reset"))
        self.assertEqual(status, "200 OK")
        self.assertEqual(self.calls()["total"], 0)

    def test_faulted_calls_are_recorded_and_never_reach_moto(self):
        app = middleware.Sandbox(self.downstream, self.state.name, "us-east-1", {"throttle": 1.0}, 1)
        call(app, environ(body=b"Action=DescribeInstances&Version=2016-11-15", service="ec2"))  # not armed yet
        call(app, environ("/_sandbox/faults-on"))
        status, body = call(app, environ(body=b"Action=DescribeInstances&Version=2016-11-15", service="ec2"))
        self.assertEqual(status, "503 Service Unavailable")
        self.assertIn(b"RequestLimitExceeded", body)
        status, body = call(app, environ(body=b"{}", service="ec2-instance-connect",
                                         target="AWSEC2InstanceConnectService.SendSSHPublicKey"))
        self.assertEqual(status, "400 Bad Request")
        self.assertIn(b"ThrottlingException", body)
        calls = json.loads(call(app, environ("/_sandbox/calls", method="GET"))[1])
        self.assertEqual([(c["status"], c.get("fault")) for c in calls["calls"]],
                         [(200, None), (503, "throttle"), (400, "throttle")])
        self.assertEqual(len(self.downstream.seen), 1)

    def test_ssm_throttle_hits_only_ssm_calls(self):
        app = middleware.Sandbox(self.downstream, self.state.name, "us-east-1", {"ssm-throttle": 1.0}, 1)
        call(app, environ("/_sandbox/faults-on"))
        status, _ = call(app, environ(body=b"Action=DescribeInstances&Version=2016-11-15", service="ec2"))
        self.assertEqual(status, "200 OK")
        for action in ("SendCommand", "GetCommandInvocation", "DescribeInstanceInformation", "GetParameter"):
            status, body = call(app, environ(body=b"{}", service="ssm", target=f"AmazonSSM.{action}"))
            self.assertEqual(status, "400 Bad Request", action)
            self.assertEqual(json.loads(body)["__type"], "ThrottlingException")
        calls = json.loads(call(app, environ("/_sandbox/calls", method="GET"))[1])
        self.assertEqual(calls["by_action"]["ssm:SendCommand"], 1)
        self.assertEqual([c.get("fault") for c in calls["calls"]], [None] + ["ssm-throttle"] * 4)
        self.assertEqual(len(self.downstream.seen), 1)

    def test_run_command_actions_never_reach_moto(self):
        # Authentication is still off here (no moto behind): the middleware answers SSM Run Command itself.
        status, body = call(self.app, environ(body=b'{"InstanceIds": ["i-0123456789abcdef0"], '
                                                   b'"DocumentName": "AWS-RunShellScript", "Parameters": {}}',
                                              service="ssm", target="AmazonSSM.SendCommand"))
        self.assertEqual(status, "400 Bad Request")
        self.assertEqual(json.loads(body)["__type"], "InvalidParameters")
        status, body = call(self.app, environ(body=b'{"CommandId": "x", "InstanceId": "i-1"}', service="ssm",
                                              target="AmazonSSM.GetCommandInvocation"))
        self.assertEqual(json.loads(body)["__type"], "InvocationDoesNotExist")
        status, body = call(self.app, environ(body=b'{}', service="ssm", target="AmazonSSM.DescribeInstanceInformation"))
        self.assertEqual((status, json.loads(body)), ("200 OK", {"InstanceInformationList": []}))
        self.assertEqual(self.downstream.seen, [])
        self.assertEqual(self.calls()["by_action"], {"ssm:DescribeInstanceInformation": 1, "ssm:GetCommandInvocation": 1,
                                                     "ssm:SendCommand": 1})


class Endpoints(unittest.TestCase):
    def test_health_ip_ranges_faults_env_and_unknown(self):
        with tempfile.TemporaryDirectory() as state:
            app = middleware.Sandbox(Downstream(), state, "us-east-1", {"ssh-drop": 0.5}, 1)
            self.assertEqual(call(app, environ("/_sandbox/health", method="GET")), ("200 OK", b"ok\n"))
            checkip = environ("/_sandbox/checkip", method="GET")
            checkip["REMOTE_ADDR"] = "127.0.0.1"
            self.assertEqual(call(app, checkip), ("200 OK", b"127.0.0.1\n"))
            ranges = json.loads(call(app, environ("/_sandbox/ip-ranges.json", method="GET"))[1])
            self.assertIn({"ip_prefix": "18.206.107.24/29", "region": "us-east-1", "service": "EC2_INSTANCE_CONNECT",
                           "network_border_group": "us-east-1"}, ranges["prefixes"])
            self.assertIn(b"SSH_DROP=0.5", call(app, environ("/_sandbox/faults.env", method="GET"))[1])
            with open(os.path.join(state, "faults.env")) as faults:
                self.assertIn("SSH_DROP=0.5", faults.read())
            self.assertEqual(call(app, environ("/_sandbox/nope", method="GET"))[0], "404 Not Found")
            self.assertEqual(call(app, environ("/_sandbox/keys/i-0abc/ec2-user", method="GET")), ("200 OK", b""))


if __name__ == "__main__":
    unittest.main()
