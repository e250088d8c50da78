"""The call log behind GET /_sandbox/calls (sandbox/localaws/accounting.py; pure)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sandbox"))
from localaws import accounting  # noqa: E402


class Accounting(unittest.TestCase):
    def test_read_only_and_mutating(self):
        for action in ("DescribeInstances", "DescribeSecurityGroups", "ListAttachedUserPolicies", "GetPolicyVersion",
                       "GetCallerIdentity", "GetUser"):
            self.assertFalse(accounting.is_mutating(action), action)
        for action in ("CreatePolicy", "AttachUserPolicy", "AuthorizeSecurityGroupIngress", "SendSSHPublicKey",
                       "AssumeRole", "CreatePolicyVersion", "DeletePolicyVersion", "TagResource", "", None):
            self.assertTrue(accounting.is_mutating(action), action)

    def test_snapshot_counts_and_reset(self):
        log = accounting.CallLog(clock=lambda: 1000.0)
        log.record("ec2", "DescribeInstances", 200, "arn:aws:iam::123456789012:user/admin")
        log.record("ec2", "DescribeInstances", 503, "arn:aws:iam::123456789012:user/admin", fault="throttle")
        log.record("iam", "CreatePolicy", 200, None)
        log.record("ec2-instance-connect", "SendSSHPublicKey", 400, "AKIAX")
        snap = log.snapshot()
        self.assertEqual(snap["total"], 4)
        self.assertEqual(snap["mutating"], 2)
        self.assertEqual(snap["by_action"], {"ec2:DescribeInstances": 2, "ec2-instance-connect:SendSSHPublicKey": 1,
                                             "iam:CreatePolicy": 1})
        self.assertEqual(snap["mutating_by_action"], {"ec2-instance-connect:SendSSHPublicKey": 1, "iam:CreatePolicy": 1})
        first = snap["calls"][0]
        self.assertEqual((first["service"], first["action"], first["mutating"], first["status"], first["caller"]),
                         ("ec2", "DescribeInstances", False, 200, "arn:aws:iam::123456789012:user/admin"))
        self.assertEqual(snap["calls"][1]["fault"], "throttle")
        self.assertEqual([c["seq"] for c in snap["calls"]], [1, 2, 3, 4])
        log.reset()
        self.assertEqual(log.snapshot()["total"], 0)
        log.record("sts", "GetCallerIdentity", 200)
        self.assertEqual(log.snapshot()["calls"][0]["seq"], 5)  # sequence numbers never repeat


if __name__ == "__main__":
    unittest.main()
