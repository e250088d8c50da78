"""build_app() (moto + patches + middleware) and awsd's command line.

    awsd.py --port P --state-dir DIR [--host 127.0.0.1] [--region us-east-1] [--faults SPEC]
            [--exit-with-parent PID]

Request authentication is switched on by INITIAL_NO_AUTH_ACTION_COUNT in the environment or by
POST /_sandbox/auth-on (moto counts every request it sees, so callers wait for the port with a TCP
connect, never with an HTTP request). The middleware's own endpoints (/_sandbox/...) never reach moto.
"""
import argparse
import os
import sys
import threading
import time

from . import quotas
from .faults import parse_faults
from .middleware import DEFAULT_SEED, Sandbox, authorized_by_middleware


def patch_moto_authorization():
    """moto's own policy check for SendSSHPublicKey only matches Resource "*" and would deny what the
    middleware allowed; for DescribeInstances it is lenient where AWS is not. For requests the
    middleware authorized itself, keep moto's signature check (and request counting) but skip its
    policy check."""
    from moto.ec2.responses import EC2Response
    from moto.ec2instanceconnect.responses import Ec2InstanceConnectResponse
    from moto.sts.responses import TokenResponse
    from moto.iam.access_control import IAMRequest

    class SignatureOnly(IAMRequest):
        def check_action_permitted(self, resource):
            return None

    def authenticate_only(self, resource="*"):
        self._authenticate_and_authorize_action(SignatureOnly, resource)

    Ec2InstanceConnectResponse._authenticate_and_authorize_normal_action = authenticate_only

    for response_class in (EC2Response, TokenResponse):
        original = response_class._authenticate_and_authorize_normal_action
        if getattr(original, "_sandbox", False):
            continue

        def authenticate(self, resource="*", _original=original):
            if getattr(authorized_by_middleware, "action", None) == self._get_action():
                return authenticate_only(self, resource)
            return _original(self, resource)
        authenticate._sandbox = True
        response_class._authenticate_and_authorize_normal_action = authenticate


def build_app(state_dir, region="us-east-1", faults=None, seed=DEFAULT_SEED):
    from moto.server import DomainDispatcherApplication, create_backend_app
    patch_moto_authorization()
    quotas.install()
    return Sandbox(DomainDispatcherApplication(create_backend_app), state_dir, region, faults or {}, seed)


def main(argv=None, doc=__doc__):
    from werkzeug.serving import make_server
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
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
