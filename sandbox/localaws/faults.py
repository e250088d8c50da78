"""The --faults spec and AWS-shaped error bodies (pure)."""

KNOWN_FAULTS = ("throttle", "error5xx", "iam-delay", "ssh-drop", "slow-install", "ssm-throttle", "ssm-fail")


def parse_faults(spec):
    """"throttle=0.2,error5xx=0.1,iam-delay=5,ssh-drop=0.1,slow-install=3,ssm-throttle=0.1,ssm-fail=0.1"
    -> dict of floats."""
    known = set(KNOWN_FAULTS)
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
        if name in ("throttle", "error5xx", "ssh-drop", "ssm-throttle", "ssm-fail") and not 0 <= number <= 1:
            raise SystemExit(f"awsd: fault {name} is a probability between 0 and 1, got {value}")
        if number < 0:
            raise SystemExit(f"awsd: fault {name} must not be negative")
        faults[name] = number
    return faults


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
