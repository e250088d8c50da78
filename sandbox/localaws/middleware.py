"""The WSGI middleware in front of moto's server application (see sandbox/README.md for the contract).

What it adds to moto:
  * SendSSHPublicKey: moto answers Success and stores nothing, and its IAM check only matches
    Resource "*". The middleware evaluates the caller's policies the way AWS does for this action
    (policy.py; IAM users and assumed-role sessions, principals.py), records allowed keys for 60 s and
    serves them at GET /_sandbox/keys/<instance-id>/<osuser> to the fleet's eic_run_authorized_keys.
  * DescribeInstances (authentication on): judged by the same evaluator instead of moto's lenient check.
  * sts:AssumeRole (authentication on): the role must exist and its trust policy must name the caller
    (or the account); moto assumes any ARN.
  * Accounting: every AWS call served, at GET /_sandbox/calls (accounting.py).
  * GET /_sandbox/ip-ranges.json, /_sandbox/health, /_sandbox/faults.env, /_sandbox/keys (debug dump).
  * SSM Run Command (SendCommand, GetCommandInvocation, ListCommandInvocations, ListCommands,
    DescribeInstanceInformation): served by ssm.py, scripts really run inside the instances.
  * Faults (--faults): throttle=P, error5xx=P, iam-delay=S, ssh-drop=P, slow-install=S, ssm-throttle=P,
    ssm-fail=P.
IAM quotas are enforced inside moto (quotas.install()).
"""
import json
import os
import random
import re
import threading
import time
import uuid
from io import BytesIO
from urllib.parse import parse_qs

from . import principals
from .accounting import CallLog
from .faults import ec2_error_response, xml_error_response
from .ipranges import IP_RANGES
from .policy import evaluate, load_document, trust_allows
from .ssm import ACTIONS as SSM_ACTIONS, RunCommand
from .ssm_model import SSMError

DEFAULT_ACCOUNT = "123456789012"
KEY_LIFETIME_SECONDS = 60
DEFAULT_SEED = 20240601
API_VERSIONS = {"2010-05-08": "iam", "2011-06-15": "sts", "2016-11-15": "ec2"}

# Set for the duration of one request when the middleware has authorized it itself, so moto's own
# (Resource-only / lenient) policy check is skipped for it while its signature check stays.
authorized_by_middleware = threading.local()


class Request:
    """What the middleware needs to know about an AWS request (parsed once)."""

    def __init__(self, environ, default_region):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(self.body)  # put it back for moto
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scope = re.search(r"Credential=([^/,]+)/[^/]*/([^/]+)/([^/]+)/", auth)
        self.target = environ.get("HTTP_X_AMZ_TARGET", "")
        self.params = {}
        if not self.target:
            text = self.body.decode(errors="replace") if self.body else ""
            if "=" in text and not text.lstrip().startswith(("{", "<")):
                self.params = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
            if not self.params and environ.get("QUERY_STRING"):
                self.params = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"], keep_blank_values=True).items()}
        if scope:
            self.access_key, self.region, self.service = scope.groups()
        else:
            self.access_key, self.region = None, default_region
            host = environ.get("HTTP_HOST", "")
            self.service = host.split(".")[0] if "amazonaws" in host else ""
            if not self.service and self.target.startswith("AWSEC2InstanceConnectService"):
                self.service = "ec2-instance-connect"
            if not self.service:
                self.service = API_VERSIONS.get(self.params.get("Version", ""), "")
        self.action = self.target.rsplit(".", 1)[-1] if self.target else self.params.get("Action", "")
        self.fault = None


class Sandbox:
    def __init__(self, app, state_dir, region, faults, seed, account=DEFAULT_ACCOUNT):
        self.app = app
        self.state_dir = state_dir
        self.region = region
        self.faults = faults
        self.account = account
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.keys = {}  # (instance_id, osuser) -> list of (public_key, expiry_epoch)
        self.grant_times = {}  # ("user-managed", user, arn) etc. -> epoch the change was seen
        self.calls = CallLog()
        self.callers = {}  # access key -> caller ARN (for the call log)
        self.started = time.time()
        # Faults are armed at the end of setup (POST /_sandbox/auth-on or /_sandbox/faults-on), so
        # the orchestrator's own setup calls are never throttled.
        self.faults_armed = False
        self.write_faults_env()
        self.run_command = RunCommand(state_dir, account, self.chance, faults)

    # ------------------------------------------------------------------ helpers
    def write_faults_env(self):
        os.makedirs(self.state_dir, exist_ok=True)
        path = os.path.join(self.state_dir, "faults.env")
        with open(path + ".tmp", "w") as out:
            out.write(self.faults_env_text())
        os.replace(path + ".tmp", path)

    def faults_env_text(self):
        return (f"SSH_DROP={self.faults.get('ssh-drop', 0)}\n"
                f"SLOW_INSTALL={self.faults.get('slow-install', 0)}\n"
                f"SEED={os.environ.get('EICSETUP_SANDBOX_SEED', DEFAULT_SEED)}\n")

    def chance(self, probability):
        if probability <= 0:
            return False
        with self.lock:
            return self.rng.random() < probability

    @staticmethod
    def respond(start_response, status, body, content_type="text/plain; charset=utf-8", extra=()):
        data = body.encode() if isinstance(body, str) else body
        headers = [("Content-Type", content_type), ("Content-Length", str(len(data)))] + list(extra)
        start_response(status, headers)
        return [data]

    @staticmethod
    def auth_on():
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin
        return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT

    def persist_keys(self):
        """Best-effort copy for humans and tests; the in-memory store is the truth."""
        try:
            now = time.time()
            dump = [{"instance": i, "osuser": u, "key": k, "expiry": e}
                    for (i, u), entries in self.keys.items() for k, e in entries if e > now]
            path = os.path.join(self.state_dir, "keys.json")
            with open(path + ".tmp", "w") as out:
                json.dump(dump, out, indent=1)
            os.replace(path + ".tmp", path)
        except OSError:
            pass

    def caller(self, access_key):
        if not access_key:
            return None
        arn = self.callers.get(access_key)
        if arn is None:
            arn = principals.caller_arn(self.account, access_key)
            if arn is not None:
                self.callers[access_key] = arn
        return arn or access_key

    # ------------------------------------------------------------------ WSGI entry
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_sandbox/"):
            return self.sandbox_endpoint(environ, start_response, path)
        request = Request(environ, self.region)
        seen = {}

        def recording(status, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return self.dispatch(environ, recording, request)
        finally:
            authorized_by_middleware.action = None
            self.calls.record(request.service, request.action, seen.get("status"),
                              self.caller(request.access_key), request.fault)

    def dispatch(self, environ, start_response, request):
        fault = self.maybe_fault(request, start_response)
        if fault is not None:
            return fault
        if request.target.endswith("SendSSHPublicKey"):
            return self.send_ssh_public_key(environ, start_response, request)
        if request.target.startswith("AmazonSSM.") and request.action in SSM_ACTIONS:
            return self.ssm(environ, start_response, request)
        if request.service == "ec2" and request.action == "DescribeInstances" and self.auth_on():
            return self.describe_instances(environ, start_response, request)
        if request.service == "sts" and request.action == "AssumeRole" and self.auth_on():
            return self.assume_role(environ, start_response, request)
        if request.service == "iam" and self.faults.get("iam-delay", 0) > 0:
            return self.track_iam_change(environ, start_response, request)
        return self.app(environ, start_response)

    # ------------------------------------------------------------------ faults
    def maybe_fault(self, request, start_response):
        if not self.faults_armed:
            return None
        request_id = str(uuid.uuid4())
        service, target = request.service, request.target
        if target.startswith("AmazonSSM.") and self.chance(self.faults.get("ssm-throttle", 0)):
            request.fault = "ssm-throttle"
            return self.respond(start_response, "400 Bad Request",
                                json.dumps({"__type": "ThrottlingException", "Message": "Rate exceeded"}),
                                "application/x-amz-json-1.1", [("x-amzn-RequestId", request_id)])
        if self.chance(self.faults.get("throttle", 0)):
            request.fault = "throttle"
            if target:  # JSON protocol (EC2 Instance Connect)
                return self.respond(start_response, "400 Bad Request",
                                    json.dumps({"__type": "ThrottlingException", "Message": "Rate exceeded"}),
                                    "application/x-amz-json-1.1", [("x-amzn-RequestId", request_id)])
            if service in ("iam", "sts"):
                return self.respond(start_response, "400 Bad Request", xml_error_response(
                    service, "Sender", "Throttling", "Rate exceeded", request_id), "text/xml")
            return self.respond(start_response, "503 Service Unavailable", ec2_error_response(
                "RequestLimitExceeded", "Request limit exceeded.", request_id), "text/xml;charset=UTF-8")
        if self.chance(self.faults.get("error5xx", 0)):
            request.fault = "error5xx"
            if target:
                return self.respond(start_response, "500 Internal Server Error",
                                    json.dumps({"__type": "ServiceException",
                                                "Message": "We encountered an internal error. Please try again."}),
                                    "application/x-amz-json-1.1", [("x-amzn-RequestId", request_id)])
            if service in ("iam", "sts"):
                return self.respond(start_response, "500 Internal Server Error", xml_error_response(
                    service, "Receiver", "ServiceFailure",
                    "The request processing has failed because of an unknown error, exception or failure.",
                    request_id), "text/xml")
            return self.respond(start_response, "500 Internal Server Error", ec2_error_response(
                "InternalError", "An internal error has occurred", request_id), "text/xml;charset=UTF-8")
        return None

    def track_iam_change(self, environ, start_response, request):
        """Remember when a grant was made, so iam-delay can hide it from the middleware's checks for S seconds."""
        params = request.params
        grant = {
            "AttachUserPolicy": ("user-managed", params.get("UserName"), params.get("PolicyArn")),
            "PutUserPolicy": ("user-inline", params.get("UserName"), params.get("PolicyName")),
            "AttachGroupPolicy": ("group-managed", params.get("GroupName"), params.get("PolicyArn")),
            "PutGroupPolicy": ("group-inline", params.get("GroupName"), params.get("PolicyName")),
            "AttachRolePolicy": ("role-managed", params.get("RoleName"), params.get("PolicyArn")),
            "PutRolePolicy": ("role-inline", params.get("RoleName"), params.get("PolicyName")),
            "AddUserToGroup": ("membership", params.get("GroupName"), params.get("UserName")),
            "CreatePolicyVersion": ("policy", params.get("PolicyArn"), None),
            "SetDefaultPolicyVersion": ("policy", params.get("PolicyArn"), None),
        }.get(request.action)
        status_holder = {}

        def capture(status, headers, exc_info=None):
            status_holder["status"] = status
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        if grant and status_holder.get("status", "").startswith("200"):
            with self.lock:
                self.grant_times[grant] = time.time()
        return result

    def visible(self, grant):
        delay = self.faults.get("iam-delay", 0)
        if delay <= 0:
            return True
        seen = self.grant_times.get(grant)
        return seen is None or time.time() - seen >= delay

    # ------------------------------------------------------------------ authorization
    def principal(self, request):
        return principals.resolve(self.account, request.access_key, self.visible)

    def authorize(self, principal, action, resource, request_context):
        return principals.authorize(principal, action, resource, request_context, evaluate)

    @staticmethod
    def denial_reason(verdict, action):
        if verdict == "deny":
            return "with an explicit deny in an identity-based policy"
        if verdict == "refused":
            return ("because the sandbox refused a policy statement it cannot evaluate "
                    "(an unimplemented condition operator; see the awsd log)")
        return f"because no identity-based policy allows the {action} action"

    def describe_instances(self, environ, start_response, request):
        """ec2:DescribeInstances supports no resource-level permissions: Resource "*" only, and no
        instance condition keys (a condition on ec2:ResourceTag/... finds its key absent)."""
        if self.check_signature(environ, request.body, request.action) is not None:
            return self.app(environ, start_response)  # moto answers the signature failure itself
        principal = self.principal(request)
        if principal is None:
            return self.app(environ, start_response)
        action = "ec2:DescribeInstances"
        verdict = self.authorize(principal, action, "*", {"aws:requestedregion": [request.region]})
        if verdict != "allow":
            message = (f"You are not authorized to perform this operation. User: {principal.arn} is not authorized "
                       f"to perform: {action} {self.denial_reason(verdict, action)}")
            return self.respond(start_response, "403 Forbidden",
                                ec2_error_response("UnauthorizedOperation", message, str(uuid.uuid4())),
                                "text/xml;charset=UTF-8")
        authorized_by_middleware.action = "DescribeInstances"
        return self.app(environ, start_response)

    def assume_role(self, environ, start_response, request):
        """AWS (same account): the role must exist and its trust policy must allow the caller. A trust
        policy naming the account (root) delegates to the caller's identity policies, which must then
        allow sts:AssumeRole on the role; one naming the caller's ARN itself suffices alone. An explicit
        Deny in either wins. moto knows neither rule (it matches the caller's ARN only), so the
        middleware decides and moto keeps only its signature check."""
        if self.check_signature(environ, request.body, request.action) is not None:
            return self.app(environ, start_response)
        principal = self.principal(request)
        if principal is None:
            return self.app(environ, start_response)
        role_arn = request.params.get("RoleArn", "")
        from moto.iam.models import iam_backends
        try:
            role = iam_backends[self.account]["aws"].get_role_by_arn(role_arn)
        except Exception:
            role = None
        allowed = False
        if role is not None:
            trust_document = load_document(role.assume_role_policy_document)
            callers = {principal.arn, principal.principal_arn}
            trust = trust_allows(trust_document, "sts:AssumeRole", callers, self.account, dict(principal.context))
            identity = self.authorize(principal, "sts:AssumeRole", role_arn, {})
            named = trust_allows(trust_document, "sts:AssumeRole", callers, None, dict(principal.context),
                                 log=lambda message: None) == "allow"
            allowed = trust == "allow" and identity not in ("deny", "refused") and (identity == "allow" or named)
        if not allowed:
            return self.respond(start_response, "403 Forbidden", xml_error_response(
                "sts", "Sender", "AccessDenied",
                f"User: {principal.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                str(uuid.uuid4())), "text/xml")
        authorized_by_middleware.action = "AssumeRole"
        return self.app(environ, start_response)

    # ------------------------------------------------------------------ SendSSHPublicKey
    def send_ssh_public_key(self, environ, start_response, request):
        request_id = str(uuid.uuid4())
        region = request.region

        def error(status, kind, message):
            return self.respond(start_response, status, json.dumps({"__type": kind, "Message": message}),
                                "application/x-amz-json-1.1", [("x-amzn-RequestId", request_id)])

        try:
            params = json.loads(request.body or b"{}")
        except ValueError:
            return error("400 Bad Request", "SerializationException", "Could not parse the request body")
        instance_id = params.get("InstanceId", "")
        osuser = params.get("InstanceOSUser", "")
        public_key = (params.get("SSHPublicKey") or "").strip()
        if not instance_id or not osuser or not public_key:
            return error("400 Bad Request", "InvalidArgsException", "InstanceId, InstanceOSUser and SSHPublicKey are required")
        if not re.fullmatch(r"i-[a-f0-9]+", instance_id):
            return error("400 Bad Request", "InvalidArgsException",
                         f"1 validation error detected: Value '{instance_id}' at 'instanceId' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: ^i-[a-f0-9]+$")
        if not re.fullmatch(r"(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?", public_key):
            return error("400 Bad Request", "InvalidArgsException", "Unsupported SSH public key format")

        auth_on = self.auth_on()
        principal = self.principal(request)
        if auth_on:
            # Signature first, as AWS does: a bad signature or unknown key never reaches authorization.
            failure = self.check_signature(environ, request.body, "SendSSHPublicKey")
            if failure is not None:
                status, kind, message = failure
                return error(status, kind, message)

        instance = self.find_instance(self.account, region, instance_id)
        if instance is None:
            return error("400 Bad Request", "EC2InstanceNotFoundException", f"Instance {instance_id} not found")
        if getattr(instance, "_state", None) is not None and instance._state.name != "running":
            return error("400 Bad Request", "EC2InstanceStateInvalidException",
                         f"Instance {instance_id} is not in a valid state for this operation.")
        resource = f"arn:aws:ec2:{region}:{self.account}:instance/{instance_id}"
        action = "ec2-instance-connect:SendSSHPublicKey"

        if principal is not None:
            context = {"ec2:osuser": [osuser], "aws:requestedregion": [region]}
            for tag in instance.get_tags():
                context[f"aws:resourcetag/{tag['key'].lower()}"] = [tag["value"]]
                context[f"ec2:resourcetag/{tag['key'].lower()}"] = [tag["value"]]
            verdict = self.authorize(principal, action, resource, context)
            if verdict != "allow":
                return error("400 Bad Request", "AccessDeniedException",
                             f"User: {principal.arn} is not authorized to perform: {action} on resource: {resource} "
                             f"{self.denial_reason(verdict, action)}")
        elif auth_on:
            return error("400 Bad Request", "UnrecognizedClientException",
                         "The security token included in the request is invalid.")
        # else: authentication still off (INITIAL_NO_AUTH_ACTION_COUNT not reached) — allowed, like moto.

        status_holder = {}

        def capture(status, headers, exc_info=None):
            status_holder["status"] = status
            status_holder["headers"] = headers

        chunks = b"".join(self.app(environ, capture))
        if not status_holder.get("status", "").startswith("200"):
            start_response(status_holder.get("status", "500 Internal Server Error"), status_holder.get("headers", []))
            return [chunks]
        with self.lock:
            now = time.time()
            entries = [(k, e) for k, e in self.keys.get((instance_id, osuser), []) if e > now and k != public_key]
            entries.append((public_key, now + KEY_LIFETIME_SECONDS))
            self.keys[(instance_id, osuser)] = entries
            self.persist_keys()
        return self.respond(start_response, "200 OK", json.dumps({"RequestId": request_id, "Success": True}),
                            "application/x-amz-json-1.1", [("x-amzn-RequestId", request_id)])

    # ------------------------------------------------------------------ SSM Run Command (ssm.py)
    def ssm(self, environ, start_response, request):
        request_id = str(uuid.uuid4())

        def answer(status, body):
            return self.respond(start_response, status, json.dumps(body), "application/x-amz-json-1.1",
                                [("x-amzn-RequestId", request_id)])

        try:
            params = json.loads(request.body or b"{}")
        except ValueError:
            return answer("400 Bad Request", {"__type": "SerializationException", "Message": "Could not parse the request body"})
        if not isinstance(params, dict):
            return answer("400 Bad Request", {"__type": "SerializationException", "Message": "The body is not an object"})
        auth_on = self.auth_on()
        if auth_on:
            failure = self.check_signature(environ, request.body, request.action)
            if failure is not None:
                status, kind, message = failure
                return answer(status, {"__type": kind, "Message": message})
        principal = self.principal(request)
        if principal is None and auth_on:
            return answer("400 Bad Request", {"__type": "UnrecognizedClientException",
                                              "Message": "The security token included in the request is invalid."})

        def authorize(action, resource, context):
            if principal is None:
                return  # authentication still off (setup), as for the other calls
            verdict = self.authorize(principal, action, resource, dict(context, **{"aws:requestedregion": [request.region]}))
            if verdict != "allow":
                raise SSMError("AccessDeniedException", f"User: {principal.arn} is not authorized to perform: {action} "
                                                        f"on resource: {resource} {self.denial_reason(verdict, action)}")

        try:
            result = self.run_command.handle(request.action, params, request.region, authorize)
        except SSMError as error:
            return answer("400 Bad Request", {"__type": error.kind, "Message": error.message})
        return answer("200 OK", result)

    def check_signature(self, environ, body, action):
        """moto's own SigV4 check (third-party implementation), without its policy check.
        None when the signature is good, else (status, error type, message)."""
        from moto.iam.access_control import IAMRequest
        from werkzeug.datastructures import EnvironHeaders
        from werkzeug.exceptions import HTTPException
        headers = dict(EnvironHeaders(environ))
        path = environ.get("PATH_INFO", "/") or "/"
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        try:
            request = IAMRequest(account_id=self.account, method=environ["REQUEST_METHOD"], path=path, data={},
                                 body=body, headers=headers, action=action)
            request.check_signature()
        except HTTPException as exc:
            code = exc.code or 400
            kind = "InvalidSignatureException" if "Signature" in str(exc.description) else "UnrecognizedClientException"
            message = ("The request signature we calculated does not match the signature you provided."
                       if kind == "InvalidSignatureException" else "The security token included in the request is invalid.")
            return (f"{code} Bad Request" if code == 400 else f"{code} Forbidden", kind, message)
        except Exception as exc:  # malformed Authorization header and the like
            return ("400 Bad Request", "IncompleteSignatureException", f"Authorization header is malformed: {exc}")
        return None

    @staticmethod
    def find_instance(account, region, instance_id):
        from moto.ec2.models import ec2_backends
        try:
            backend = ec2_backends[account][region]
        except KeyError:
            return None
        return backend.get_instance_by_id(instance_id)

    # ------------------------------------------------------------------ /_sandbox/*
    def sandbox_endpoint(self, environ, start_response, path):
        method = environ.get("REQUEST_METHOD")
        if path == "/_sandbox/health":
            return self.respond(start_response, "200 OK", "ok\n")
        if path == "/_sandbox/checkip":  # like checkip.amazonaws.com: the caller's address and a newline
            return self.respond(start_response, "200 OK", environ.get("REMOTE_ADDR", "") + "\n")
        if path == "/_sandbox/ip-ranges.json":
            return self.respond(start_response, "200 OK", json.dumps(IP_RANGES, indent=2), "application/json")
        if path == "/_sandbox/auth-on":
            # Turn moto's request authentication on from now on (an alternative to guessing
            # INITIAL_NO_AUTH_ACTION_COUNT): the orchestrator sets up users and resources, then calls this.
            if method != "POST":
                return self.respond(start_response, "405 Method Not Allowed", "POST only\n")
            from moto import settings
            from moto.core.authorization import ActionAuthenticatorMixin
            settings.INITIAL_NO_AUTH_ACTION_COUNT = ActionAuthenticatorMixin.request_count
            self.faults_armed = True
            return self.respond(start_response, "200 OK", "auth on\n")
        if path == "/_sandbox/faults-on":
            if method != "POST":
                return self.respond(start_response, "405 Method Not Allowed", "POST only\n")
            self.faults_armed = True
            return self.respond(start_response, "200 OK", "faults armed\n")
        if path == "/_sandbox/faults.env":
            return self.respond(start_response, "200 OK", self.faults_env_text())
        if path == "/_sandbox/calls":
            return self.respond(start_response, "200 OK", json.dumps(self.calls.snapshot(), indent=1), "application/json")
        if path == "/_sandbox/calls/reset":
            if method != "POST":
                return self.respond(start_response, "405 Method Not Allowed", "POST only\n")
            self.calls.reset()
            return self.respond(start_response, "200 OK", "calls reset\n")
        if path == "/_sandbox/keys":
            with self.lock:
                now = time.time()
                dump = [{"instance": i, "osuser": u, "key": k, "expires_in": round(e - now, 1)}
                        for (i, u), entries in self.keys.items() for k, e in entries if e > now]
            return self.respond(start_response, "200 OK", json.dumps(dump, indent=1), "application/json")
        match = re.fullmatch(r"/_sandbox/keys/([^/]+)/([^/]+)", path)
        if match:
            instance_id, osuser = match.groups()
            with self.lock:
                now = time.time()
                live = [k for k, e in self.keys.get((instance_id, osuser), []) if e > now]
            return self.respond(start_response, "200 OK", "".join(k + "\n" for k in live))
        return self.respond(start_response, "404 Not Found", "no such sandbox endpoint\n")
