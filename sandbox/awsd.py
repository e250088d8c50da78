#!/usr/bin/env python3
"""The sandbox's local AWS: moto's server application, served on one loopback port.

Started by `eicsetup sandbox up` and by the test suites. Request authentication is switched on by
INITIAL_NO_AUTH_ACTION_COUNT in the environment (moto counts every request, so callers wait for the
port with a TCP connect, never with an HTTP request).
"""
import argparse
import sys

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def build_app():
    return DomainDispatcherApplication(create_backend_app)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if not args.host.startswith("127."):
        sys.exit("awsd: refusing to listen outside the loopback range")
    run_simple(args.host, args.port, build_app(), threaded=True, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
    main()
