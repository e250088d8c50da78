"""Unit tests for awsd's IAM evaluation of SendSSHPublicKey (pure functions; no server, no moto state).

Run: .venv/bin/python -m unittest discover -s Tests/sandbox
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sandbox"))
import awsd  # noqa: E402

ACTION = "ec2-instance-connect:SendSSHPublicKey"
ARN = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"


def ctx(osuser="ec2-user", **tags):
    c = {"ec2:osuser": [osuser], "aws:username": ["eic-user"]}
    for k, v in tags.items():
        c[f"aws:resourcetag/{k.lower()}"] = [v]
    return c


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(**extra):
    s = {"Effect": "Allow", "Action": ACTION, "Resource": ARN}
    s.update(extra)
    return s


class Evaluate(unittest.TestCase):
    def run_eval(self, documents, context=None, resource=ARN, action=ACTION):
        return awsd.evaluate(documents, action, resource, context or ctx(), {"aws:username": "eic-user"})

    def test_default_deny(self):
        self.assertEqual(self.run_eval([]), "implicit")

    def test_action_wildcards_case_insensitive(self):
        for action in ("ec2-instance-connect:*", "*", "EC2-Instance-Connect:sendsshpublickey", "ec2-instance-connect:Send*"):
            self.assertEqual(self.run_eval([doc(allow(Action=action))]), "allow", action)
        self.assertEqual(self.run_eval([doc(allow(Action="ec2:*"))]), "implicit")

    def test_resource_wildcards(self):
        self.assertEqual(self.run_eval([doc(allow(Resource="arn:aws:ec2:*:*:instance/*"))]), "allow")
        self.assertEqual(self.run_eval([doc(allow(Resource="arn:aws:ec2:us-east-1:123456789012:instance/i-other"))]), "implicit")
        self.assertEqual(self.run_eval([doc(allow(Resource=["x", ARN]))]), "allow")

    def test_osuser_condition(self):
        policy = [doc(allow(Condition={"StringEquals": {"ec2:osuser": "ec2-user"}}))]
        self.assertEqual(self.run_eval(policy), "allow")
        self.assertEqual(self.run_eval(policy, ctx("root")), "implicit")

    def test_condition_key_names_case_insensitive_and_like(self):
        policy = [doc(allow(Condition={"StringLike": {"EC2:OSUser": ["ubu*", "ec2-?ser"]}}))]
        self.assertEqual(self.run_eval(policy), "allow")
        self.assertEqual(self.run_eval(policy, ctx("ubuntu")), "allow")
        self.assertEqual(self.run_eval(policy, ctx("admin")), "implicit")

    def test_resource_tag_condition(self):
        policy = [doc(allow(Condition={"StringEquals": {"aws:ResourceTag/Fleet": "sandbox"}}))]
        self.assertEqual(self.run_eval(policy, ctx(Fleet="sandbox")), "allow")
        self.assertEqual(self.run_eval(policy, ctx(Fleet="prod")), "implicit")
        self.assertEqual(self.run_eval(policy, ctx()), "implicit")  # tag absent

    def test_negated_operator_with_absent_key_holds(self):
        policy = [doc(allow(Condition={"StringNotEquals": {"aws:ResourceTag/Env": "prod"}}))]
        self.assertEqual(self.run_eval(policy, ctx()), "allow")
        self.assertEqual(self.run_eval(policy, ctx(Env="prod")), "implicit")

    def test_explicit_deny_wins(self):
        policies = [doc(allow()), doc({"Effect": "Deny", "Action": "*", "Resource": "*",
                                       "Condition": {"StringEquals": {"ec2:osuser": "ec2-user"}}})]
        self.assertEqual(self.run_eval(policies), "deny")
        self.assertEqual(self.run_eval(policies, ctx("ubuntu")), "allow")

    def test_not_action_not_resource(self):
        self.assertEqual(self.run_eval([doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]), "allow")
        self.assertEqual(self.run_eval([doc({"Effect": "Allow", "Action": "*", "NotResource": ARN})]), "implicit")

    def test_policy_variable_and_unknown_operator(self):
        policy = [doc(allow(Condition={"StringEquals": {"aws:username": "${aws:username}"}}))]
        self.assertEqual(self.run_eval(policy), "allow")
        policy = [doc(allow(Condition={"NumericLessThan": {"ec2:osuser": "3"}}))]
        self.assertEqual(self.run_eval(policy), "implicit")

    def test_if_exists_and_null(self):
        policy = [doc(allow(Condition={"StringEqualsIfExists": {"aws:ResourceTag/Team": "a"}}))]
        self.assertEqual(self.run_eval(policy, ctx()), "allow")
        self.assertEqual(self.run_eval(policy, ctx(Team="b")), "implicit")
        policy = [doc(allow(Condition={"Null": {"aws:ResourceTag/Team": "false"}}))]
        self.assertEqual(self.run_eval(policy, ctx(Team="b")), "allow")
        self.assertEqual(self.run_eval(policy, ctx()), "implicit")


class Faults(unittest.TestCase):
    def test_parse(self):
        self.assertEqual(awsd.parse_faults("throttle=0.2, error5xx=0.1,iam-delay=5,ssh-drop=0.1,slow-install=3"),
                         {"throttle": 0.2, "error5xx": 0.1, "iam-delay": 5.0, "ssh-drop": 0.1, "slow-install": 3.0})
        self.assertEqual(awsd.parse_faults(""), {})
        for bad in ("throttle=2", "nope=1", "throttle", "iam-delay=x"):
            with self.assertRaises(SystemExit):
                awsd.parse_faults(bad)


if __name__ == "__main__":
    unittest.main()
