"""The invocation state machine and rate control of sandbox/localaws/ssm_runner.py, with real `sh`
processes but no instances: the script runs on the host (command_line overridden), each "instance"
is a temporary directory."""
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sandbox"))
from localaws import ssm_model, ssm_runner  # noqa: E402


class FakeAgent:
    def __init__(self, instance_id, root, online=True):
        self.instance_id = instance_id
        self.root = root
        self.online = online


class LocalCommand(ssm_runner.Command):
    def command_line(self, invocation):
        return ["/bin/sh", os.path.join(self.directory(invocation), "_script.sh")]


class Request:
    def __init__(self, commands, max_concurrency="50", max_errors="0", delivery=3600, execution=3600):
        self.checked = (None, None, commands, max_concurrency, max_errors, delivery, execution)
        self.comment = ""
        self.parameters = {"commands": commands}


class Runner(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="ssm-runner-")
        os.environ["EICSETUP_SANDBOX_SSM_DELIVERY_SECONDS"] = "0.5"

    def tearDown(self):
        shutil.rmtree(self.directory, ignore_errors=True)
        os.environ.pop("EICSETUP_SANDBOX_SSM_DELIVERY_SECONDS", None)

    def agents(self, count, offline=()):
        result = []
        for n in range(count):
            root = os.path.join(self.directory, f"i-{n:017x}")
            os.makedirs(root)
            result.append(FakeAgent(f"i-{n:017x}", root, online=n not in offline))
        return result

    def run_command(self, request, agents, fail=lambda: False):
        command = LocalCommand("c0ffee00-0000-0000-0000-000000000000", "us-east-1", request, agents, fail)
        self.assertTrue(all(i.status == "Pending" and i.response_code == -1 for i in command.invocations))
        thread = command.start()
        thread.join(timeout=30)
        self.assertFalse(thread.is_alive(), "the command never finished")
        return command

    def test_success_failure_and_output(self):
        command = self.run_command(Request(["echo out-$AWS_SSM_INSTANCE_ID", "pwd", "echo err >&2",
                                            'test "$AWS_SSM_INSTANCE_ID" != i-00000000000000001 || exit 3']),
                                   self.agents(2), )
        first, second = command.invocations
        self.assertEqual((first.status, first.details, first.response_code), ("Success", "Success", 0))
        self.assertEqual(first.stdout, "out-i-00000000000000000\n/\n")
        self.assertEqual(first.stderr, "err\n")
        # MaxErrors 0: the first failure stops dispatching, but this one was already running or ran.
        self.assertEqual((second.status, second.details, second.response_code), ("Failed", "Failed", 3))
        self.assertTrue(first.started <= first.finished)

    def test_max_concurrency_is_never_exceeded(self):
        marker = os.path.join(self.directory, "running")
        os.makedirs(marker)
        # Each script registers itself while it runs; the most seen at once is what the runner allowed.
        script = [f'touch {marker}/$AWS_SSM_INSTANCE_ID', "sleep 0.2", f"ls {marker} | wc -l",
                  f"rm {marker}/$AWS_SSM_INSTANCE_ID"]
        command = self.run_command(Request(script, max_concurrency="3"), self.agents(8))
        seen = [int(i.stdout.strip()) for i in command.invocations]
        self.assertTrue(all(i.details == "Success" for i in command.invocations))
        self.assertLessEqual(max(seen), 3)
        self.assertEqual(command.peak_running, 3)

    def test_max_errors_cancels_what_was_not_dispatched(self):
        command = self.run_command(Request(["exit 1"], max_concurrency="1", max_errors="1"), self.agents(5))
        details = [i.details for i in command.invocations]
        # One at a time: the 2nd failure exceeds MaxErrors 1, the remaining three are never sent.
        self.assertEqual(details, ["Failed", "Failed", "Cancelled", "Cancelled", "Cancelled"])
        self.assertEqual([i.response_code for i in command.invocations], [1, 1, -1, -1, -1])
        self.assertEqual(ssm_model.command_status([(i.status, i.details) for i in command.invocations])[0], "Failed")

    def test_an_offline_agent_never_gets_the_command(self):
        flag = os.path.join(self.directory, "ran")
        command = self.run_command(Request([f"touch {flag}-$AWS_SSM_INSTANCE_ID"]), self.agents(2, offline={1}))
        online, offline = command.invocations
        self.assertEqual(online.details, "Success")
        self.assertEqual((offline.status, offline.details, offline.response_code), ("TimedOut", "DeliveryTimedOut", -1))
        self.assertFalse(os.path.exists(f"{flag}-{offline.instance_id}"))
        self.assertEqual(command.counts(), {"CompletedCount": 2, "ErrorCount": 0, "DeliveryTimedOutCount": 1})

    def test_execution_timeout_kills_the_script(self):
        started = time.time()
        command = self.run_command(Request(["sleep 30"], execution=1), self.agents(1))
        invocation = command.invocations[0]
        self.assertEqual((invocation.status, invocation.details, invocation.response_code),
                         ("TimedOut", "ExecutionTimedOut", -1))
        self.assertLess(time.time() - started, 20)

    def test_the_ssm_fail_fault_fails_without_running_the_script(self):
        flag = os.path.join(self.directory, "ran")
        command = self.run_command(Request([f"touch {flag}"], max_errors="100%"), self.agents(1), fail=lambda: True)
        invocation = command.invocations[0]
        self.assertEqual((invocation.status, invocation.response_code), ("Failed", 1))
        self.assertIn("ssm-fail", invocation.stderr)
        self.assertFalse(os.path.exists(flag))


if __name__ == "__main__":
    unittest.main()
