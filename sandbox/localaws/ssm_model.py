"""SSM Run Command's rules, as AWS documents them (pure: no I/O, no clock, no moto).

Sources (checked against the API reference and the SSM agent's own code):
  * GetCommandInvocation: StandardOutputContent is "the first 24,000 characters written by the plugin
    to stdout", StandardErrorContent "the first 8,000 characters ... to stderr"; both empty until the
    invocation has finished. Plain prefixes, no marker.
  * ListCommandInvocations Details=true: CommandPlugins[].Output is the agent's TruncateOutput(stdout,
    stderr, 2500): stdout, then "\\n----------ERROR-------\\n" and stderr when there is any, cut to 2,500
    characters with "\\n---Output truncated---" / "\\n---Error truncated----" markers.
  * SendCommand: InstanceIds at most 50; Targets at most 5 entries (key InstanceIds, tag:K or tag-key),
    50 values each; MaxConcurrency ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$ (default "50"), MaxErrors
    ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$ (default "0"); TimeoutSeconds 30..2592000 (delivery
    timeout, default 3600); AWS-RunShellScript's executionTimeout 1..172800 seconds (default 3600).
  * Invocation Status: Pending | InProgress | Success | Failed | TimedOut | Cancelled; StatusDetails
    adds DeliveryTimedOut / ExecutionTimedOut. ResponseCode -1 until the script has exited.
"""
import base64
import json
import math
import re

STDOUT_LIMIT = 24000
STDERR_LIMIT = 8000
PLUGIN_OUTPUT_LIMIT = 2500
ERROR_TITLE = "\n----------ERROR-------\n"
TRUNCATE_OUT = "\n---Output truncated---"
TRUNCATE_ERROR = "\n---Error truncated----"

MAX_INSTANCE_IDS = 50
MAX_TARGETS = 5
MAX_TARGET_VALUES = 50
DEFAULT_MAX_CONCURRENCY = "50"
DEFAULT_MAX_ERRORS = "0"
DELIVERY_TIMEOUT_RANGE = (30, 2592000)
DEFAULT_DELIVERY_TIMEOUT = 3600
EXECUTION_TIMEOUT_RANGE = (1, 172800)
DEFAULT_EXECUTION_TIMEOUT = 3600

INSTANCE_ID_PATTERN = re.compile(r"(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)")
MAX_CONCURRENCY_PATTERN = re.compile(r"^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")
MAX_ERRORS_PATTERN = re.compile(r"^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")

TERMINAL = ("Success", "Failed", "TimedOut", "Cancelled")
# Invocation outcomes that count against MaxErrors (AWS: failures and execution timeouts do, delivery
# timeouts do not).
ERROR_DETAILS = ("Failed", "ExecutionTimedOut")


class SSMError(Exception):
    """An AWS error answer: __type and Message (HTTP 400)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def validation(value, member, constraint):
    return SSMError("ValidationException",
                    f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
                    f"{constraint}")


# ------------------------------------------------------------------ truncation
def get_invocation_output(stdout, stderr):
    """(StandardOutputContent, StandardErrorContent) as GetCommandInvocation returns them."""
    return stdout[:STDOUT_LIMIT], stderr[:STDERR_LIMIT]


def plugin_output(stdout, stderr, capacity=PLUGIN_OUTPUT_LIMIT):
    """The SSM agent's TruncateOutput: CommandPlugins[].Output of ListCommandInvocations --details."""
    title = ERROR_TITLE if stderr else ""
    available = capacity - len(title)
    if len(stdout) + len(stderr) < available:
        return stdout + title + stderr
    if len(stdout) > available // 2 and len(stderr) > available // 2:
        size = available - len(TRUNCATE_ERROR) - len(TRUNCATE_OUT)
        return stdout[:size // 2] + TRUNCATE_OUT + title + stderr[:size // 2] + TRUNCATE_ERROR
    if len(stdout) < available // 2:
        size = available - len(TRUNCATE_ERROR)
        return stdout + title + stderr[:size - len(stdout)] + TRUNCATE_ERROR
    size = available - len(TRUNCATE_OUT)
    return stdout[:size - len(stderr)] + TRUNCATE_OUT + title + stderr


# ------------------------------------------------------------------ rate control
def concurrency_limit(value, target_count):
    """MaxConcurrency as a number of invocations running at once (a percentage of the targets, at least 1)."""
    if value.endswith("%"):
        return max(1, math.floor(target_count * int(value[:-1]) / 100))
    return int(value)


def error_limit(value, target_count):
    """MaxErrors as a number: dispatching stops once more errors than this have happened."""
    if value.endswith("%"):
        return math.floor(target_count * int(value[:-1]) / 100)
    return int(value)


# ------------------------------------------------------------------ request checks
def integer_in(value, low, high, member):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise validation(value, member, "Member must be an integer")
    if not low <= number <= high:
        raise validation(value, member, f"Member must have value between {low} and {high}")
    return number


def check_send_command(params):
    """Validates a SendCommand request's shape; returns (instance_ids or None, targets or None,
    commands, max_concurrency, max_errors, delivery_timeout, execution_timeout)."""
    instance_ids = params.get("InstanceIds")
    targets = params.get("Targets")
    if instance_ids and targets:
        raise SSMError("InvalidParameters", "InstanceIds and Targets cannot be specified together.")
    if not instance_ids and not targets:
        raise SSMError("InvalidParameters", "Either InstanceIds or Targets must be specified.")
    if instance_ids:
        if len(instance_ids) > MAX_INSTANCE_IDS:
            raise validation(instance_ids, "instanceIds",
                             f"Member must have length less than or equal to {MAX_INSTANCE_IDS}")
        for value in instance_ids:
            if not isinstance(value, str) or not INSTANCE_ID_PATTERN.match(value):
                raise validation(value, "instanceIds",
                                 r"Member must satisfy regular expression pattern: (^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)")
    if targets:
        if len(targets) > MAX_TARGETS:
            raise validation(targets, "targets", f"Member must have length less than or equal to {MAX_TARGETS}")
        for target in targets:
            key, values = target.get("Key", ""), target.get("Values") or []
            if not (key == "InstanceIds" or key == "tag-key" or key.startswith("tag:")):
                raise SSMError("InvalidTarget", f"Target key {key!r} is not supported (InstanceIds, tag:<key>, tag-key).")
            if not values or len(values) > MAX_TARGET_VALUES:
                raise validation(values, "targets.member.values",
                                 f"Member must have length between 1 and {MAX_TARGET_VALUES}")
    document = params.get("DocumentName", "")
    if document != "AWS-RunShellScript":
        raise SSMError("InvalidDocument", f"Document {document} does not exist in your account (the sandbox "
                                          "knows only AWS-RunShellScript)")
    parameters = params.get("Parameters") or {}
    commands = parameters.get("commands")
    if not isinstance(commands, list) or not commands or not all(isinstance(c, str) for c in commands):
        raise SSMError("InvalidParameters", "Parameter \"commands\" is required and must be a list of strings.")
    unknown = set(parameters) - {"commands", "executionTimeout", "workingDirectory"}
    if unknown:
        raise SSMError("InvalidParameters", f"Document AWS-RunShellScript does not support parameters: "
                                            f"{', '.join(sorted(unknown))}")
    execution_timeout = DEFAULT_EXECUTION_TIMEOUT
    if parameters.get("executionTimeout"):
        value = parameters["executionTimeout"]
        value = value[0] if isinstance(value, list) and value else value
        try:
            execution_timeout = integer_in(value, *EXECUTION_TIMEOUT_RANGE, "executionTimeout")
        except SSMError:
            raise SSMError("InvalidParameters", f"Parameter \"executionTimeout\" \"{value}\" must be a number "
                                                f"between {EXECUTION_TIMEOUT_RANGE[0]} and {EXECUTION_TIMEOUT_RANGE[1]}.")
    max_concurrency = str(params.get("MaxConcurrency") or DEFAULT_MAX_CONCURRENCY)
    if not MAX_CONCURRENCY_PATTERN.match(max_concurrency):
        raise validation(max_concurrency, "maxConcurrency",
                         "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")
    max_errors = str(params.get("MaxErrors") or DEFAULT_MAX_ERRORS)
    if not MAX_ERRORS_PATTERN.match(max_errors):
        raise validation(max_errors, "maxErrors",
                         "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")
    delivery_timeout = DEFAULT_DELIVERY_TIMEOUT
    if params.get("TimeoutSeconds") is not None:
        delivery_timeout = integer_in(params["TimeoutSeconds"], *DELIVERY_TIMEOUT_RANGE, "timeoutSeconds")
    return (instance_ids or None, targets or None, commands, max_concurrency, max_errors,
            delivery_timeout, execution_timeout)


# ------------------------------------------------------------------ statuses
def command_status(invocations):
    """(Status, StatusDetails) of a whole command from its invocations' (Status, StatusDetails)."""
    if not invocations:
        return "Success", "Success"
    details = [d for _, d in invocations]
    if any(s not in TERMINAL for s, _ in invocations):
        started = any(d != "Pending" for d in details)
        return ("InProgress", "InProgress") if started else ("Pending", "Pending")
    if all(d == "Success" for d in details):
        return "Success", "Success"
    if any(d == "Cancelled" for d in details) and not any(d in ERROR_DETAILS for d in details):
        return "Cancelled", "Cancelled"
    if any(d in ERROR_DETAILS for d in details):
        return "Failed", "Failed"
    if all(d == "DeliveryTimedOut" for d in details):
        return "TimedOut", "DeliveryTimedOut"
    return "Success", "Incomplete"


# ------------------------------------------------------------------ pagination
def page(items, max_results, next_token, low, high, default):
    """(items of this page, NextToken or None). Tokens are opaque to callers (base64 of an offset)."""
    if max_results is None:
        max_results = default
    max_results = integer_in(max_results, low, high, "maxResults")
    start = 0
    if next_token:
        try:
            start = int(json.loads(base64.b64decode(next_token, validate=True))["offset"])
        except (ValueError, KeyError, TypeError):
            raise SSMError("InvalidNextToken", "The specified token is not valid.")
        if not 0 <= start <= len(items):
            raise SSMError("InvalidNextToken", "The specified token is not valid.")
    end = start + max_results
    token = base64.b64encode(json.dumps({"offset": end}).encode()).decode() if end < len(items) else None
    return items[start:end], token
