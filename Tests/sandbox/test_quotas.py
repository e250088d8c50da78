"""IAM quotas (sandbox/localaws/quotas.py): the pure checks. The server-side refusals (AWS's error code
through the AWS CLI) are in test_awsd_server.py."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sandbox"))
from localaws import quotas  # noqa: E402


def document_of_size(characters):
    """A policy document of exactly `characters` non-whitespace characters (pretty-printed: whitespace
    must not count)."""
    base = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeInstances",
                                                     "Resource": "*", "Sid": ""}]}
    empty = quotas.policy_size(json.dumps(base))
    base["Statement"][0]["Sid"] = "A" * (characters - empty)
    text = json.dumps(base, indent=4)
    assert quotas.policy_size(text) == characters
    return text


class Limits(unittest.TestCase):
    def test_named_once_with_source(self):
        for name, (value, meaning, source) in quotas.LIMITS.items():
            self.assertTrue(source.startswith("https://docs.aws.amazon.com/"), name)
            self.assertGreater(value, 0)
        self.assertEqual(quotas.limit("ManagedPolicySize"), 6144)
        self.assertEqual(quotas.limit("UserInlinePolicySize"), 2048)
        self.assertEqual(quotas.limit("GroupInlinePolicySize"), 5120)
        self.assertEqual(quotas.limit("RoleInlinePolicySize"), 10240)
        self.assertEqual(quotas.limit("ManagedPoliciesPerUser"), 10)
        self.assertEqual(quotas.limit("VersionsPerPolicy"), 5)

    def test_whitespace_not_counted(self):
        self.assertEqual(quotas.policy_size('{ "a" :\n\t "b" }'), 9)

    def test_managed_policy_size(self):
        self.assertIsNone(quotas.check_managed_policy(document_of_size(6144)))
        self.assertEqual(quotas.check_managed_policy(document_of_size(6145)), "Cannot exceed quota for PolicySize: 6144")

    def test_inline_aggregate(self):
        half = document_of_size(1024)
        self.assertIsNone(quotas.check_inline_policy("user", "u", {"a": half}, "b", half))
        self.assertIn("2048", quotas.check_inline_policy("user", "u", {"a": half}, "b", document_of_size(1025)))
        # replacing a same-named policy does not add to the total
        self.assertIsNone(quotas.check_inline_policy("user", "u", {"a": document_of_size(2000)}, "a", document_of_size(2048)))
        self.assertIsNone(quotas.check_inline_policy("group", "g", {}, "a", document_of_size(5120)))
        self.assertEqual(quotas.check_inline_policy("group", "g", {}, "a", document_of_size(5121)),
                         "Maximum policy size of 5120 bytes exceeded for group g")
        self.assertIsNone(quotas.check_inline_policy("role", "r", {}, "a", document_of_size(10240)))
        self.assertIsNotNone(quotas.check_inline_policy("role", "r", {}, "a", document_of_size(10241)))

    def test_attachments(self):
        nine = {f"arn:{i}" for i in range(9)}
        self.assertIsNone(quotas.check_attach("user", nine, "arn:new"))
        ten = nine | {"arn:9"}
        self.assertEqual(quotas.check_attach("user", ten, "arn:new"), "Cannot exceed quota for PoliciesPerUser: 10")
        self.assertIsNone(quotas.check_attach("user", ten, "arn:3"))  # already attached: no change
        self.assertEqual(quotas.check_attach("role", ten, "arn:new"), "Cannot exceed quota for PoliciesPerRole: 10")
        self.assertEqual(quotas.check_attach("group", ten, "arn:new"), "Cannot exceed quota for PoliciesPerGroup: 10")

    def test_versions(self):
        self.assertIsNone(quotas.check_new_version(4))
        self.assertIn("up to 5 versions", quotas.check_new_version(5))


if __name__ == "__main__":
    unittest.main()
