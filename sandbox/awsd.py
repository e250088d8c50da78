#!/usr/bin/env python3
"""The sandbox's local AWS: moto's server application behind a thin WSGI middleware, on one loopback port.

Started by `eicsetup sandbox up` and by the test suites:

    awsd.py --port P --state-dir DIR [--host 127.0.0.1] [--region us-east-1] [--faults SPEC]

Request authentication is switched on by INITIAL_NO_AUTH_ACTION_COUNT in the environment (moto reads it
and counts every request it sees, so callers wait for the port with a TCP connect, never with an HTTP
request). The middleware's own endpoints (/_sandbox/...) never reach moto, so they never count.

What the middleware adds to moto (see sandbox/README.md for the contract):
  * SendSSHPublicKey: moto answers Success and stores nothing, and its IAM check only matches
    Resource "*". The middleware evaluates the caller's IAM policies the way AWS does for this action
    (instance ARN, ec2:osuser, aws:ResourceTag/...), records allowed keys for 60 s, and serves them at
    GET /_sandbox/keys/<instance-id>/<osuser> to the fleet's eic_run_authorized_keys.
  * GET /_sandbox/ip-ranges.json, /_sandbox/health, /_sandbox/faults.env, /_sandbox/keys (debug dump).
  * Faults (--faults): throttle=P, error5xx=P, iam-delay=S, ssh-drop=P, slow-install=S.
"""
import argparse
import fnmatch
import json
import os
import random
import re
import sys
import threading
import time
import uuid
from io import BytesIO
from urllib.parse import parse_qs

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

DEFAULT_ACCOUNT = "123456789012"
KEY_LIFETIME_SECONDS = 60
DEFAULT_SEED = 20240601


# --------------------------------------------------------------------------------------------- faults

def parse_faults(spec):
    """"throttle=0.2,error5xx=0.1,iam-delay=5,ssh-drop=0.1,slow-install=3" -> dict of floats."""
    known = {"throttle", "error5xx", "iam-delay", "ssh-drop", "slow-install"}
    faults = {}
    for item in filter(None, (part.strip() for part in (spec or "").split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in known:
            raise SystemExit(f"awsd: bad fault {item!r} (known: {', '.join(sorted(known))}, as name=value)")
        try:
            number = float(value)
        except ValueError:
            raise SystemExit(f"awsd: fault {name} needs a number, got {value!r}")
        if name in ("throttle", "error5xx", "ssh-drop") and not 0 <= number <= 1:
            raise SystemExit(f"awsd: fault {name} is a probability between 0 and 1, got {value}")
        if number < 0:
            raise SystemExit(f"awsd: fault {name} must not be negative")
        faults[name] = number
    return faults


# ------------------------------------------------------------------------------- policy evaluation

def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wild(pattern, value, case_insensitive=False):
    """IAM wildcard match: * any run, ? one character; nothing else is special (unlike fnmatch's [])."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if case_insensitive else re.DOTALL) is not None


def _substitute(value, variables):
    """Policy variables such as ${aws:username}; unknown variables stay as they are (AWS: no match)."""
    def repl(match):
        return variables.get(match.group(1).lower(), match.group(0))
    return re.sub(r"\$\{([^}]+)\}", repl, value)


STRING_OPERATORS = {
    "stringequals": lambda p, v: p == v,
    "stringnotequals": lambda p, v: p == v,
    "stringequalsignorecase": lambda p, v: p.lower() == v.lower(),
    "stringnotequalsignorecase": lambda p, v: p.lower() == v.lower(),
    "stringlike": lambda p, v: _wild(p, v),
    "stringnotlike": lambda p, v: _wild(p, v),
    "arnequals": lambda p, v: _wild(p, v),
    "arnlike": lambda p, v: _wild(p, v),
    "arnnotequals": lambda p, v: _wild(p, v),
    "arnnotlike": lambda p, v: _wild(p, v),
}
NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike"}


def condition_holds(condition_block, context, variables):
    """True when every operator/key pair of a Condition block holds for the request context.

    context maps lower-cased condition keys to lists of request values (a missing key = not present).
    Unknown operators make the statement not apply (fail closed for Allow; a Deny with an unknown
    operator is ignored, which is also what a real evaluation of a non-matching condition would do).
    """
    for raw_operator, pairs in (condition_block or {}).items():
        operator = raw_operator.lower()
        qualifier = None
        if ":" in operator:
            qualifier, operator = operator.split(":", 1)
        if_exists = operator.endswith("ifexists")
        if if_exists:
            operator = operator[: -len("ifexists")]
        for raw_key, policy_values in (pairs or {}).items():
            key = raw_key.lower()
            request_values = context.get(key)
            policy_values = [str(v) for v in _as_list(policy_values)]
            if operator == "null":
                wants_absent = policy_values and policy_values[0].lower() == "true"
                if wants_absent != (request_values is None):
                    return False
                continue
            if operator == "bool":
                if request_values is None or request_values[0].lower() not in [v.lower() for v in policy_values]:
                    if not (if_exists and request_values is None):
                        return False
                continue
            compare = STRING_OPERATORS.get(operator)
            if compare is None:
                return False
            if request_values is None:
                if if_exists or operator in NEGATED:
                    continue
                return False
            policy_values = [_substitute(v, variables) for v in policy_values]

            def one(value):
                hit = any(compare(p, value) for p in policy_values)
                return not hit if operator in NEGATED else hit

            if qualifier == "forallvalues":
                ok = all(one(v) for v in request_values)
            else:  # single-valued keys and ForAnyValue: some request value satisfies the operator
                ok = any(one(v) for v in request_values)
            if not ok:
                return False
    return True


def statement_applies(statement, action, resource, context, variables):
    if "Action" in statement:
        if not any(_wild(a, action, case_insensitive=True) for a in _as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(_wild(a, action, case_insensitive=True) for a in _as_list(statement["NotAction"])):
            return False
    else:
        return False
    if "Resource" in statement:
        if not any(_wild(_substitute(r, variables), resource) for r in _as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement:
        if any(_wild(_substitute(r, variables), resource) for r in _as_list(statement["NotResource"])):
            return False
    else:
        return False
    return condition_holds(statement.get("Condition"), context, variables)


def evaluate(documents, action, resource, context, variables):
    """'deny' (explicit), 'allow', or 'implicit' (no statement allows) — explicit Deny wins."""
    allowed = False
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            if not isinstance(statement, dict) or not statement_applies(statement, action, resource, context, variables):
                continue
            if statement.get("Effect") == "Deny":
                return "deny"
            if statement.get("Effect") == "Allow":
                allowed = True
    return "allow" if allowed else "implicit"


# ----------------------------------------------------------------------------------- the middleware

class Sandbox:
    def __init__(self, app, state_dir, region, faults, seed):
        self.app = app
        self.state_dir = state_dir
        self.region = region
        self.faults = faults
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.keys = {}  # (instance_id, osuser) -> list of (public_key, expiry_epoch)
        self.grant_times = {}  # ("user-managed", user, arn) etc. -> epoch the change was seen
        self.started = time.time()
        # Faults are armed at the end of setup (POST /_sandbox/auth-on or /_sandbox/faults-on), so
        # the orchestrator's own setup calls are never throttled.
        self.faults_armed = False
        self.write_faults_env()

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

    # ------------------------------------------------------------------ WSGI entry
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_sandbox/"):
            return self.sandbox_endpoint(environ, start_response, path)

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)  # put it back for moto
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scope = re.search(r"Credential=([^/,]+)/[^/]*/([^/]+)/([^/]+)/", auth)
        access_key, region, service = (scope.groups() if scope else (None, self.region, self.service_from_host(environ)))
        target = environ.get("HTTP_X_AMZ_TARGET", "")

        fault = self.maybe_fault(service, target, start_response)
        if fault is not None:
            return fault
        if target.endswith("SendSSHPublicKey"):
            return self.send_ssh_public_key(environ, start_response, body, access_key, region)
        if service == "iam" and self.faults.get("iam-delay", 0) > 0:
            return self.track_iam_change(environ, start_response, body)
        return self.app(environ, start_response)

    @staticmethod
    def service_from_host(environ):
        host = environ.get("HTTP_HOST", "")
        return host.split(".")[0] if "amazonaws" in host else ""

    # ------------------------------------------------------------------ faults
    def maybe_fault(self, service, target, start_response):
        if not self.faults_armed:
            return None
        request_id = str(uuid.uuid4())
        if self.chance(self.faults.get("throttle", 0)):
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

    def track_iam_change(self, environ, start_response, body):
        """Remember when a grant was made, so iam-delay can hide it from SendSSHPublicKey for S seconds."""
        params = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
        if not params and environ.get("QUERY_STRING"):
            params = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
        action = params.get("Action", "")
        grant = {
            "AttachUserPolicy": ("user-managed", params.get("UserName"), params.get("PolicyArn")),
            "PutUserPolicy": ("user-inline", params.get("UserName"), params.get("PolicyName")),
            "AttachGroupPolicy": ("group-managed", params.get("GroupName"), params.get("PolicyArn")),
            "PutGroupPolicy": ("group-inline", params.get("GroupName"), params.get("PolicyName")),
            "AddUserToGroup": ("membership", params.get("GroupName"), params.get("UserName")),
            "CreatePolicyVersion": ("policy", params.get("PolicyArn"), None),
            "SetDefaultPolicyVersion": ("policy", params.get("PolicyArn"), None),
        }.get(action)
        status_holder = {}

        def capture(status, headers, exc_info=None):
            status_holder["status"] = status
            return start_response(status, headers, exc_info)

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

    # ------------------------------------------------------------------ SendSSHPublicKey
    def send_ssh_public_key(self, environ, start_response, body, access_key, region):
        request_id = str(uuid.uuid4())

        def error(status, kind, message):
            return self.respond(start_response, status, json.dumps({"__type": kind, "Message": message}),
                                "application/x-amz-json-1.1", [("x-amzn-RequestId", request_id)])

        try:
            params = json.loads(body or b"{}")
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


        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin
        auth_on = ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
        account = DEFAULT_ACCOUNT

        user = None
        if access_key:
            from moto.iam.models import iam_backends
            user = iam_backends[account]["aws"].get_user_from_access_key_id(access_key)
        if auth_on:
            # Signature first, as AWS does: a bad signature or unknown key never reaches authorization.
            failure = self.check_signature(environ, body, account)
            if failure is not None:
                status, kind, message = failure
                return error(status, kind, message)

        instance = self.find_instance(account, region, instance_id)
        if instance is None:
            return error("400 Bad Request", "EC2InstanceNotFoundException", f"Instance {instance_id} not found")
        if getattr(instance, "_state", None) is not None and instance._state.name != "running":
            return error("400 Bad Request", "EC2InstanceStateInvalidException",
                         f"Instance {instance_id} is not in a valid state for this operation.")
        resource = f"arn:aws:ec2:{region}:{account}:instance/{instance_id}"
        action = "ec2-instance-connect:SendSSHPublicKey"

        if user is not None:
            verdict = self.authorize(account, user, action, resource, osuser, instance)
            if verdict != "allow":
                reason = ("with an explicit deny in an identity-based policy" if verdict == "deny"
                          else f"because no identity-based policy allows the {action} action")
                return error("400 Bad Request", "AccessDeniedException",
                             f"User: {user.arn} is not authorized to perform: {action} on resource: {resource} {reason}")
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

    @staticmethod
    def check_signature(environ, body, account):
        """moto's own SigV4 check (third-party implementation), without its Resource-only policy check."""
        from moto.iam.access_control import IAMRequest
        from werkzeug.datastructures import EnvironHeaders
        from werkzeug.exceptions import HTTPException
        headers = dict(EnvironHeaders(environ))
        path = environ.get("PATH_INFO", "/") or "/"
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        try:
            request = IAMRequest(account_id=account, method=environ["REQUEST_METHOD"], path=path, data={},
                                 body=body, headers=headers, action="SendSSHPublicKey")
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

    def authorize(self, account, user, action, resource, osuser, instance):
        from moto.iam.models import iam_backends
        iam = iam_backends[account]["aws"]
        documents = []

        def load(text):
            try:
                return json.loads(text) if isinstance(text, str) else text
            except ValueError:
                return {}

        for name, text in user.policies.items():
            if self.visible(("user-inline", user.name, name)):
                documents.append(load(text))
        for arn, policy in user.managed_policies.items():
            if self.visible(("user-managed", user.name, arn)) and self.visible(("policy", arn, None)):
                documents.append(load(default_document(policy)))
        for group in iam.get_groups_for_user(user.name):
            if not self.visible(("membership", group.name, user.name)):
                continue
            for name, text in group.policies.items():
                if self.visible(("group-inline", group.name, name)):
                    documents.append(load(text))
            for arn, policy in group.managed_policies.items():
                if self.visible(("group-managed", group.name, arn)) and self.visible(("policy", arn, None)):
                    documents.append(load(default_document(policy)))

        context = {"ec2:osuser": [osuser], "aws:username": [user.name],
                   "aws:principalarn": [user.arn], "aws:principalaccount": [account],
                   "aws:requestedregion": [resource.split(":")[3]]}
        for tag in instance.get_tags():
            context[f"aws:resourcetag/{tag['key'].lower()}"] = [tag["value"]]
            context[f"ec2:resourcetag/{tag['key'].lower()}"] = [tag["value"]]
        variables = {"aws:username": user.name, "aws:userid": user.id, "aws:principalaccount": account}
        return evaluate(documents, action, resource, context, variables)

    # ------------------------------------------------------------------ /_sandbox/*
    def sandbox_endpoint(self, environ, start_response, path):
        if path == "/_sandbox/health":
            return self.respond(start_response, "200 OK", "ok\n")
        if path == "/_sandbox/checkip":  # like checkip.amazonaws.com: the caller's address and a newline
            return self.respond(start_response, "200 OK", environ.get("REMOTE_ADDR", "") + "\n")
        if path == "/_sandbox/ip-ranges.json":
            return self.respond(start_response, "200 OK", json.dumps(IP_RANGES, indent=2), "application/json")
        if path == "/_sandbox/auth-on":
            # Turn moto's request authentication on from now on (an alternative to guessing
            # INITIAL_NO_AUTH_ACTION_COUNT): the orchestrator sets up users and resources, then calls this.
            if environ.get("REQUEST_METHOD") != "POST":
                return self.respond(start_response, "405 Method Not Allowed", "POST only\n")
            from moto import settings
            from moto.core.authorization import ActionAuthenticatorMixin
            settings.INITIAL_NO_AUTH_ACTION_COUNT = ActionAuthenticatorMixin.request_count
            self.faults_armed = True
            return self.respond(start_response, "200 OK", "auth on\n")
        if path == "/_sandbox/faults-on":
            if environ.get("REQUEST_METHOD") != "POST":
                return self.respond(start_response, "405 Method Not Allowed", "POST only\n")
            self.faults_armed = True
            return self.respond(start_response, "200 OK", "faults armed\n")
        if path == "/_sandbox/faults.env":
            return self.respond(start_response, "200 OK", self.faults_env_text())
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


def default_document(policy):
    for version in policy.versions:
        if version.is_default:
            return version.document
    return getattr(policy, "document", "{}")


def ec2_error_response(code, message, request_id):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>")


def xml_error_response(service, kind, code, message, request_id):
    namespace = ("https://iam.amazonaws.com/doc/2010-05-08/" if service == "iam"
                 else "https://sts.amazonaws.com/doc/2011-06-15/")
    return (f'<ErrorResponse xmlns="{namespace}">\n  <Error>\n    <Type>{kind}</Type>\n'
            f"    <Code>{code}</Code>\n    <Message>{message}</Message>\n  </Error>\n"
            f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n")


# ip-ranges.json: the shape AWS publishes (syncToken = publication epoch, createDate YYYY-MM-DD-hh-mm-ss).
# EC2_INSTANCE_CONNECT CIDRs are the published ones for those regions; AMAZON/EC2 entries are a sample.
_EIC = [
    ("18.206.107.24/29", "us-east-1"), ("3.16.146.0/29", "us-east-2"), ("13.52.6.112/29", "us-west-1"),
    ("18.237.140.160/29", "us-west-2"), ("18.202.216.48/29", "eu-west-1"), ("3.8.37.24/29", "eu-west-2"),
    ("35.180.112.80/29", "eu-west-3"), ("3.120.181.40/29", "eu-central-1"), ("13.48.4.200/30", "eu-north-1"),
    ("3.112.23.0/29", "ap-northeast-1"), ("3.0.5.32/29", "ap-southeast-1"), ("13.239.158.0/29", "ap-southeast-2"),
    ("13.233.177.0/29", "ap-south-1"), ("35.183.92.176/29", "ca-central-1"), ("18.228.70.32/29", "sa-east-1"),
]
_OTHER = [
    ("3.2.34.0/26", "af-south-1", "AMAZON"), ("52.94.76.0/22", "us-west-2", "AMAZON"),
    ("18.208.0.0/13", "us-east-1", "AMAZON"), ("18.208.0.0/13", "us-east-1", "EC2"),
    ("3.5.140.0/22", "ap-northeast-2", "AMAZON"), ("52.93.178.234/32", "us-west-1", "AMAZON"),
    ("54.240.197.0/24", "eu-west-1", "AMAZON"), ("3.248.0.0/13", "eu-west-1", "EC2"),
    ("13.248.118.0/24", "eu-west-1", "AMAZON"), ("35.71.64.0/22", "ap-southeast-2", "EC2"),
]
IP_RANGES = {
    "syncToken": "1717171717",
    "createDate": "2024-05-31-16-08-37",
    "prefixes": [{"ip_prefix": c, "region": r, "service": "AMAZON", "network_border_group": r} for c, r in _EIC]
    + [{"ip_prefix": c, "region": r, "service": s, "network_border_group": r} for c, r, s in _OTHER]
    + [{"ip_prefix": c, "region": r, "service": "EC2_INSTANCE_CONNECT", "network_border_group": r} for c, r in _EIC],
    "ipv6_prefixes": [
        {"ipv6_prefix": "2600:1f18:6fe3:8c00::/59", "region": "us-east-1", "service": "EC2_INSTANCE_CONNECT",
         "network_border_group": "us-east-1"},
        {"ipv6_prefix": "2a05:d018:403:4e00::/56", "region": "eu-west-1", "service": "EC2_INSTANCE_CONNECT",
         "network_border_group": "eu-west-1"},
        {"ipv6_prefix": "2600:1f18::/33", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"},
        {"ipv6_prefix": "2600:1f18::/36", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"},
        {"ipv6_prefix": "2a05:d000::/25", "region": "eu-west-1", "service": "AMAZON", "network_border_group": "eu-west-1"},
    ],
}


def patch_moto_eic_authorization():
    """moto's own check for SendSSHPublicKey only matches Resource "*" and would deny what the middleware
    allowed; keep its signature check (and request counting) but skip its policy check for this service."""
    from moto.ec2instanceconnect.responses import Ec2InstanceConnectResponse
    from moto.iam.access_control import IAMRequest

    class SignatureOnly(IAMRequest):
        def check_action_permitted(self, resource):
            return None

    def authenticate_only(self, resource="*"):
        self._authenticate_and_authorize_action(SignatureOnly, resource)

    Ec2InstanceConnectResponse._authenticate_and_authorize_normal_action = authenticate_only


def build_app(state_dir, region="us-east-1", faults=None, seed=DEFAULT_SEED):
    patch_moto_eic_authorization()
    return Sandbox(DomainDispatcherApplication(create_backend_app), state_dir, region, faults or {}, seed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="0 = a free port, written to STATE_DIR/awsd.port")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--faults", default="")
    parser.add_argument("--exit-with-parent", type=int, metavar="PID", default=0,
                        help="exit when process PID is gone (test peers: no server outlives its test run)")
    args = parser.parse_args(argv)
    if not args.host.startswith("127."):
        sys.exit("awsd: refusing to listen outside the loopback range")
    faults = parse_faults(args.faults)
    seed = int(os.environ.get("EICSETUP_SANDBOX_SEED", DEFAULT_SEED))
    app = build_app(args.state_dir, args.region, faults, seed)
    with open(os.path.join(args.state_dir, "awsd.pid"), "w") as out:
        out.write(f"{os.getpid()}\n")
    if args.exit_with_parent:
        threading.Thread(target=watch_parent, args=(args.exit_with_parent,), daemon=True).start()
    # Bind first, then publish the port: with --port 0 the kernel picks a free one, so there is no race
    # between choosing a port and binding it (other processes' outgoing connections take ports too).
    server = make_server(args.host, args.port, app, threaded=True)
    port_file = os.path.join(args.state_dir, "awsd.port")
    with open(port_file + ".tmp", "w") as out:
        out.write(f"{server.server_port}\n")
    os.replace(port_file + ".tmp", port_file)
    print(f"awsd: listening on http://{args.host}:{server.server_port}", file=sys.stderr, flush=True)
    server.serve_forever()


def watch_parent(pid):
    """Exit as soon as `pid` is gone: a crashed or killed test run must not leave its AWS behind."""
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        time.sleep(0.5)


if __name__ == "__main__":
    main()
