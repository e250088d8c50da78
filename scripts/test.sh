#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/setup.sh), builds, runs every test.
# Integration tests start their own real peers on loopback: moto (sandbox/awsd.py, authentication on)
# and OpenSSH sshd processes. Needs root for the sandbox fleet (mount namespaces) and for sshd.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Never let a test fall through to the EC2 instance-metadata address: traffic stays on loopback.
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION
echo "test: building (debug, with tests)"
swift build --build-tests 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || { echo "test: build failed" >&2; exit 1; }
echo "test: sandbox helper unit tests (Python)"
.venv/bin/python -m unittest discover -s Tests/sandbox 2>&1 | tail -n 3
echo "test: running the Swift tests (unit, and integration against moto and real sshd)"
# One test at a time: on 2 cores the integration tests (sandbox fleets, 50 SSH sessions, moto peers)
# only fought each other in parallel — the same wall time (~2 min), a third of the CPU, and none of the
# load spikes that made other tests' SSH commands wait a minute. The timeout turns a hang into a failure.
# The test runner gets its own process group, and the guard kills the whole group: `timeout` alone would
# kill only `swift test` and leave its xctest child running (holding every file and port it had).
set -m
swift test --skip-build --no-parallel "$@" &
runner=$!
( sleep 1500; echo "test: the suite did not finish within 25 minutes; stopping it" >&2; kill -KILL -- "-$runner" ) 2>/dev/null &
guard=$!
set +e
wait "$runner"
status=$?
kill -- "-$guard" 2>/dev/null
exit "$status"
