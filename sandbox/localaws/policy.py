"""IAM identity-policy evaluation, as AWS documents it — pure functions, no moto, no server.

evaluate(documents, action, resource, context, variables) -> "allow" | "deny" | "implicit" | "refused"

  * documents: parsed policy documents (dicts) of the principal: inline and attached, user and groups.
  * context: lower-cased condition key -> list of request values; a key that is absent from the
    request is simply not in the dict.
  * variables: lower-cased policy variable name (e.g. "aws:username") -> value; used only in documents
    whose "Version" is "2012-10-17" (older or missing versions treat ${...} as literal text).

"refused" is a deny the sandbox produced because a statement that applies to the request uses a
condition operator this evaluator does not implement (numeric, date, IP address, binary, or an
unknown one): AWS would evaluate it, we cannot, so we deny loudly instead of guessing (the reason goes
to the log callback, by default stderr = the sandbox's awsd.log).

Sources (each case in Tests/sandbox/test_policy.py names its page):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
"""
import json
import re
import sys

POLICY_VARIABLES_VERSION = "2012-10-17"


class UnsupportedPolicy(Exception):
    """A statement the sandbox cannot evaluate faithfully (the request is then denied)."""


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def wild(pattern, value, case_insensitive=False):
    """IAM wildcard match: * any run, ? one character; nothing else is special (unlike fnmatch's [])."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if case_insensitive else 0)
    return re.fullmatch(regex, value, flags) is not None


def substitute(value, variables):
    """Policy variables such as ${aws:username}; unknown variables stay as they are (AWS: no match).
    ${*}, ${?}, ${$} are the documented escapes for the literal characters."""
    def repl(match):
        name = match.group(1)
        if name in ("*", "?", "$"):
            return name
        return variables.get(name.lower(), match.group(0))
    return re.sub(r"\$\{([^}]+)\}", repl, value)


STRING_OPERATORS = {
    "stringequals": lambda p, v: p == v,
    "stringnotequals": lambda p, v: p == v,
    "stringequalsignorecase": lambda p, v: p.lower() == v.lower(),
    "stringnotequalsignorecase": lambda p, v: p.lower() == v.lower(),
    "stringlike": lambda p, v: wild(p, v),
    "stringnotlike": lambda p, v: wild(p, v),
    "arnequals": lambda p, v: wild(p, v),
    "arnlike": lambda p, v: wild(p, v),
    "arnnotequals": lambda p, v: wild(p, v),
    "arnnotlike": lambda p, v: wild(p, v),
}
NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike"}
# Operators AWS has and this evaluator does not implement: a statement using one is refused.
UNIMPLEMENTED = {
    "numericequals", "numericnotequals", "numericlessthan", "numericlessthanequals", "numericgreaterthan",
    "numericgreaterthanequals", "dateequals", "datenotequals", "datelessthan", "datelessthanequals",
    "dategreaterthan", "dategreaterthanequals", "ipaddress", "notipaddress", "binaryequals",
}


def condition_holds(condition_block, context, variables):
    """True when every operator/key pair of a Condition block holds for the request context.

    Raises UnsupportedPolicy for an operator this evaluator does not implement."""
    for raw_operator, pairs in (condition_block or {}).items():
        operator = raw_operator.lower()
        qualifier = None
        if ":" in operator:
            qualifier, operator = operator.split(":", 1)
            if qualifier not in ("forallvalues", "foranyvalue"):
                raise UnsupportedPolicy(f"unknown condition set operator {raw_operator!r}")
        if_exists = operator.endswith("ifexists") and operator != "ifexists"
        if if_exists:
            operator = operator[: -len("ifexists")]
        if operator not in STRING_OPERATORS and operator not in ("null", "bool"):
            what = "not implemented by the sandbox" if operator in UNIMPLEMENTED else "unknown"
            raise UnsupportedPolicy(f"condition operator {raw_operator!r} is {what}")
        if not isinstance(pairs, dict):
            raise UnsupportedPolicy(f"condition operator {raw_operator!r} needs an object of key: values")
        for raw_key, policy_values in pairs.items():
            key = raw_key.lower()
            request_values = context.get(key)
            if request_values is not None and len(request_values) == 0:
                request_values = None
            policy_values = [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(policy_values)]
            if operator == "null":
                wants_absent = bool(policy_values) and policy_values[0].lower() == "true"
                if wants_absent != (request_values is None):
                    return False
                continue
            if request_values is None:
                # Absent key: IfExists -> true; ForAllValues -> true (the empty set); ForAnyValue -> false;
                # a plain operator -> false, a plain negated operator -> true.
                if if_exists or qualifier == "forallvalues":
                    continue
                if qualifier == "foranyvalue":
                    return False
                if operator in NEGATED:
                    continue
                return False
            if operator == "bool":
                if not any(v.lower() in [p.lower() for p in policy_values] for v in request_values):
                    return False
                continue
            compare = STRING_OPERATORS[operator]
            policy_values = [substitute(v, variables) for v in policy_values]

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
        if not any(wild(a, action, case_insensitive=True) for a in as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(wild(a, action, case_insensitive=True) for a in as_list(statement["NotAction"])):
            return False
    else:
        return False
    if "Resource" in statement:
        if not any(wild(substitute(r, variables), resource) for r in as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement:
        if any(wild(substitute(r, variables), resource) for r in as_list(statement["NotResource"])):
            return False
    else:
        return False
    return condition_holds(statement.get("Condition"), context, variables)


def log_to_stderr(message):
    print(f"awsd: {message}", file=sys.stderr, flush=True)


def evaluate(documents, action, resource, context, variables, log=log_to_stderr):
    """'deny' (explicit), 'allow', 'implicit' (no statement allows), or 'refused' (see the module doc).
    An explicit Deny wins over everything; a refused statement wins over an Allow."""
    allowed = False
    refused = None
    for document in documents:
        if not isinstance(document, dict):
            continue
        scope = variables if document.get("Version") == POLICY_VARIABLES_VERSION else {}
        for statement in as_list(document.get("Statement")):
            if not isinstance(statement, dict):
                continue
            try:
                applies = statement_applies(statement, action, resource, context, scope)
            except UnsupportedPolicy as problem:
                refused = refused or (problem, statement)
                continue
            if not applies:
                continue
            if statement.get("Effect") == "Deny":
                return "deny"
            if statement.get("Effect") == "Allow":
                allowed = True
    if refused is not None:
        problem, statement = refused
        log(f"REFUSED policy statement for {action} on {resource}: {problem}; the request is denied "
            f"(the sandbox cannot evaluate it as AWS would). Statement: {json.dumps(statement, sort_keys=True)}")
        return "refused"
    return "allow" if allowed else "implicit"


def load_document(text):
    """A stored policy document (JSON text, possibly URL-encoded by the caller) -> dict ({} if unreadable)."""
    try:
        return json.loads(text) if isinstance(text, str) else (text or {})
    except ValueError:
        return {}


def principal_matches(element, caller_arns, account):
    """The Principal element of a resource-based (here: role trust) policy against the caller.
    {"AWS": "arn:aws:iam::ACCOUNT:root"} or {"AWS": "ACCOUNT"} names every principal of the account
    (which then also needs an identity policy allowing the action); "*" anyone; otherwise an exact ARN.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    for value in as_list(element.get("AWS")):
        if value == "*" or value in (f"arn:aws:iam::{account}:root", account) or value in caller_arns:
            return True
    return False


def trust_allows(document, action, caller_arns, account, context, log=log_to_stderr):
    """'allow' | 'deny' | 'implicit' | 'refused' for a role trust policy (Principal-based statements)."""
    allowed, refused = False, None
    for statement in as_list((document or {}).get("Statement")):
        if not isinstance(statement, dict):
            continue
        if "Principal" not in statement or not principal_matches(statement["Principal"], caller_arns, account):
            continue
        if not any(wild(a, action, case_insensitive=True) for a in as_list(statement.get("Action"))):
            continue
        try:
            if not condition_holds(statement.get("Condition"), context, {}):
                continue
        except UnsupportedPolicy as problem:
            refused = refused or problem
            continue
        if statement.get("Effect") == "Deny":
            return "deny"
        allowed = allowed or statement.get("Effect") == "Allow"
    if refused is not None:
        log(f"REFUSED trust policy statement for {action}: {refused}; the request is denied")
        return "refused"
    return "allow" if allowed else "implicit"
