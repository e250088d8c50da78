#!/usr/bin/env python3
"""The sandbox's local AWS: moto's server application behind a thin WSGI middleware, on one loopback port.

Started by `eicsetup sandbox up` and by the test suites:

    awsd.py --port P --state-dir DIR [--host 127.0.0.1] [--region us-east-1] [--faults SPEC]
            [--exit-with-parent PID]

This file is only the entry point; the parts live in localaws/ beside it (policy evaluation, quotas,
accounting, faults, the middleware, the server) — see localaws/__init__.py and sandbox/README.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from localaws.server import main  # noqa: E402

if __name__ == "__main__":
    main(doc=__doc__)
