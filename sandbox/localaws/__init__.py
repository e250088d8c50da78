"""The sandbox's local AWS (started by ../awsd.py): moto's server behind a WSGI middleware.

Modules, each usable and testable alone:
  policy      IAM identity-policy evaluation (pure: documents + request context -> allow/deny/implicit)
  quotas      IAM size and count quotas, named once with their source, and the checks moto lacks
  accounting  the record of every AWS call served (GET /_sandbox/calls)
  faults      the --faults spec and AWS-shaped error bodies
  ipranges    the ip-ranges.json document served at /_sandbox/ip-ranges.json
  principals  who signed a request (IAM user or assumed-role session) and the policies that apply
  middleware  the WSGI middleware in front of moto (keys, ip-ranges, faults, accounting, IAM checks)
  server      build_app() and the command line (awsd.py's main)
"""
