"""SSM Run Command's rules (sandbox/localaws/ssm_model.py; pure): truncation, rate control, request
checks, command status, pagination."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sandbox"))
from localaws import ssm_model  # noqa: E402
from localaws.ssm_model import SSMError  # noqa: E402


def send(**overrides):
    params = {"DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-0123456789abcdef0"],
              "Parameters": {"commands": ["true"]}}
    params.update(overrides)
    return ssm_model.check_send_command(params)


class Truncation(unittest.TestCase):
    def test_get_command_invocation_keeps_the_first_24000_and_8000_characters(self):
        stdout, stderr = ssm_model.get_invocation_output("o" * 30000, "e" * 9000)
        self.assertEqual((len(stdout), len(stderr)), (24000, 8000))
        self.assertEqual(ssm_model.get_invocation_output("short", ""), ("short", ""))

    def test_plugin_output_is_the_agents_truncate_output(self):
        # The SSM agent's own test cases (capacity 100), then the real capacity 2,500.
        long = "This is a sample text. " * 40
        self.assertEqual(ssm_model.plugin_output("", "", 100), "")
        self.assertEqual(ssm_model.plugin_output("out", "err", 100), "out\n----------ERROR-------\nerr")
        self.assertEqual(ssm_model.plugin_output("", "err", 100), "\n----------ERROR-------\nerr")
        self.assertEqual(ssm_model.plugin_output(long, "", 100),
                         "This is a sample text. This is a sample text. This is a sample text. This is \n---Output truncated---")
        self.assertEqual(ssm_model.plugin_output("", long, 100),
                         "\n----------ERROR-------\nThis is a sample text. This is a sample text. This is\n---Error truncated----")
        both = ssm_model.plugin_output(long, long, 100)
        self.assertEqual(both, long[:15] + "\n---Output truncated---\n----------ERROR-------\n" + long[:15]
                         + "\n---Error truncated----")
        for stdout, stderr in (("a" * 3000, ""), ("a" * 3000, "b" * 3000), ("a" * 10, "b" * 3000), ("a" * 3000, "b" * 10)):
            output = ssm_model.plugin_output(stdout, stderr)
            self.assertEqual(len(output), 2500, (len(stdout), len(stderr)))
            self.assertIn("truncated-", output)


class RateControl(unittest.TestCase):
    def test_numbers_and_percentages(self):
        self.assertEqual(ssm_model.concurrency_limit("7", 100), 7)
        self.assertEqual(ssm_model.concurrency_limit("10%", 50), 5)
        self.assertEqual(ssm_model.concurrency_limit("1%", 10), 1)  # never below one at a time
        self.assertEqual(ssm_model.error_limit("0", 10), 0)
        self.assertEqual(ssm_model.error_limit("10%", 50), 5)
        self.assertEqual(ssm_model.error_limit("5%", 10), 0)


class SendCommandChecks(unittest.TestCase):
    def test_defaults(self):
        ids, targets, commands, concurrency, errors, delivery, execution = send()
        self.assertEqual((ids, targets, commands), (["i-0123456789abcdef0"], None, ["true"]))
        self.assertEqual((concurrency, errors, delivery, execution), ("50", "0", 3600, 3600))

    def test_more_than_50_instance_ids_is_a_validation_error(self):
        with self.assertRaises(SSMError) as caught:
            send(InstanceIds=[f"i-{n:017x}" for n in range(51)])
        self.assertEqual(caught.exception.kind, "ValidationException")
        self.assertIn("less than or equal to 50", caught.exception.message)
        send(InstanceIds=[f"i-{n:017x}" for n in range(50)])

    def test_refusals(self):
        cases = [
            (dict(InstanceIds=["i-nothex!"]), "ValidationException"),
            (dict(Targets=[{"Key": "tag:Fleet", "Values": ["a"]}]), "InvalidParameters"),  # with InstanceIds
            (dict(InstanceIds=None), "InvalidParameters"),
            (dict(DocumentName="AWS-RunPowerShellScript"), "InvalidDocument"),
            (dict(Parameters={}), "InvalidParameters"),
            (dict(Parameters={"commands": ["true"], "bogus": ["1"]}), "InvalidParameters"),
            (dict(Parameters={"commands": ["true"], "executionTimeout": ["0"]}), "InvalidParameters"),
            (dict(MaxConcurrency="0"), "ValidationException"),
            (dict(MaxConcurrency="101%"), "ValidationException"),
            (dict(MaxErrors="-1"), "ValidationException"),
            (dict(TimeoutSeconds=29), "ValidationException"),
        ]
        for overrides, kind in cases:
            with self.assertRaises(SSMError, msg=str(overrides)) as caught:
                send(**overrides)
            self.assertEqual(caught.exception.kind, kind, overrides)

    def test_targets(self):
        _, targets, *_ = send(InstanceIds=None, Targets=[{"Key": "tag:Fleet", "Values": ["sandbox"]}])
        self.assertEqual(targets, [{"Key": "tag:Fleet", "Values": ["sandbox"]}])
        with self.assertRaises(SSMError):
            send(InstanceIds=None, Targets=[{"Key": "Name", "Values": ["x"]}])
        ids, *_, execution = send(Parameters={"commands": ["true"], "executionTimeout": ["5"]}, MaxErrors="10%")
        self.assertEqual(execution, 5)


class CommandStatus(unittest.TestCase):
    def test_aggregation(self):
        status = ssm_model.command_status
        self.assertEqual(status([("Pending", "Pending")] * 2), ("Pending", "Pending"))
        self.assertEqual(status([("Success", "Success"), ("InProgress", "InProgress")]), ("InProgress", "InProgress"))
        self.assertEqual(status([("Success", "Success")] * 2), ("Success", "Success"))
        self.assertEqual(status([("Success", "Success"), ("Failed", "Failed")]), ("Failed", "Failed"))
        self.assertEqual(status([("Success", "Success"), ("TimedOut", "DeliveryTimedOut")]), ("Success", "Incomplete"))
        self.assertEqual(status([("TimedOut", "DeliveryTimedOut")]), ("TimedOut", "DeliveryTimedOut"))


class Pagination(unittest.TestCase):
    def test_pages_and_tokens(self):
        items = list(range(12))
        first, token = ssm_model.page(items, 5, None, 5, 50, 10)
        second, token2 = ssm_model.page(items, 5, token, 5, 50, 10)
        third, token3 = ssm_model.page(items, 5, token2, 5, 50, 10)
        self.assertEqual((first, second, third, token3), ([0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11], None))
        self.assertEqual(ssm_model.page(items, None, None, 5, 50, 10)[0], list(range(10)))
        for bad in (4, 51):
            with self.assertRaises(SSMError):
                ssm_model.page(items, bad, None, 5, 50, 10)
        with self.assertRaises(SSMError) as caught:
            ssm_model.page(items, 5, "not-a-token", 5, 50, 10)
        self.assertEqual(caught.exception.kind, "InvalidNextToken")


if __name__ == "__main__":
    unittest.main()
