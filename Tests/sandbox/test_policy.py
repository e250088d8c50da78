"""The IAM evaluator (sandbox/localaws/policy.py) against a table of documented cases.

Each case: policies, request, expected verdict ("allow", "deny" = explicit, "implicit" = no statement
allows, "refused" = the sandbox cannot evaluate an applicable statement and denies), and the AWS
documentation page the expectation comes from. Pure functions: no server, no moto.

Run: .venv/bin/python -m unittest discover -s Tests/sandbox
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sandbox"))
from localaws import policy  # noqa: E402

DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
EVALUATION = DOC + "reference_policies_evaluation-logic.html"
ACTION_EL = DOC + "reference_policies_elements_action.html"
NOTACTION_EL = DOC + "reference_policies_elements_notaction.html"
RESOURCE_EL = DOC + "reference_policies_elements_resource.html"
NOTRESOURCE_EL = DOC + "reference_policies_elements_notresource.html"
OPERATORS = DOC + "reference_policies_elements_condition_operators.html"
MULTI = DOC + "reference_policies_condition-single-vs-multi-valued-context-keys.html"
MULTI_KEYS = DOC + "reference_policies_condition-logic-multiple-context-keys-or-values.html"
VARIABLES = DOC + "reference_policies_variables.html"
VERSION = DOC + "reference_policies_elements_version.html"
EIC_IAM = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-connect-configure-IAM-role.html"
EC2_RESOURCE_LEVEL = ("https://docs.aws.amazon.com/service-authorization/latest/reference/"
                      "list_amazonec2.html")  # DescribeInstances: no resource types, Resource "*"
PRINCIPAL_EL = DOC + "reference_policies_elements_principal.html"

SEND = "ec2-instance-connect:SendSSHPublicKey"
ARN = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"


def ctx(osuser="ec2-user", **tags):
    c = {"ec2:osuser": [osuser], "aws:username": ["eic-user"],
         "aws:principalarn": ["arn:aws:iam::123456789012:user/eic-user"]}
    for k, v in tags.items():
        c[f"aws:resourcetag/{k.lower()}"] = [v]
    return c


def doc(*statements, version="2012-10-17"):
    d = {"Statement": list(statements)}
    if version:
        d["Version"] = version
    return d


def allow(**extra):
    s = {"Effect": "Allow", "Action": SEND, "Resource": ARN}
    s.update(extra)
    return s


def deny(**extra):
    s = {"Effect": "Deny", "Action": SEND, "Resource": ARN}
    s.update(extra)
    return s


def cond(**block):
    return {"Condition": block}


# (name, documents, context, expected, source[, action, resource])
CASES = [
    ("no policy: implicit deny", [], ctx(), "implicit", EVALUATION),
    ("allow by instance ARN", [doc(allow())], ctx(), "allow", EIC_IAM),
    ("other instance ARN", [doc(allow(Resource=ARN.replace("0abc", "0def")))], ctx(), "implicit", RESOURCE_EL),
    ("resource wildcard", [doc(allow(Resource="arn:aws:ec2:*:*:instance/*"))], ctx(), "allow", RESOURCE_EL),
    ("resource list", [doc(allow(Resource=["x", ARN]))], ctx(), "allow", RESOURCE_EL),
    ("resource ARN is case sensitive", [doc(allow(Resource=ARN.upper()))], ctx(), "implicit", RESOURCE_EL),
    ("action service wildcard", [doc(allow(Action="ec2-instance-connect:*"))], ctx(), "allow", ACTION_EL),
    ("action case-insensitive", [doc(allow(Action="EC2-Instance-Connect:sendsshpublickey"))], ctx(), "allow", ACTION_EL),
    ("action prefix wildcard", [doc(allow(Action="ec2-instance-connect:Send*"))], ctx(), "allow", ACTION_EL),
    ("ec2:* does not cover ec2-instance-connect", [doc(allow(Action="ec2:*"))], ctx(), "implicit", ACTION_EL),
    ("NotAction allows the rest", [doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})], ctx(), "allow", NOTACTION_EL),
    ("NotAction excludes", [doc({"Effect": "Allow", "NotAction": "ec2-instance-connect:*", "Resource": "*"})], ctx(), "implicit", NOTACTION_EL),
    ("NotResource excludes", [doc({"Effect": "Allow", "Action": "*", "NotResource": ARN})], ctx(), "implicit", NOTRESOURCE_EL),
    ("explicit deny wins over allow", [doc(allow()), doc(deny(Action="*", Resource="*"))], ctx(), "deny", EVALUATION),
    ("deny with non-matching condition does not apply",
     [doc(allow()), doc(deny(**cond(StringEquals={"ec2:osuser": "root"})))], ctx(), "allow", EVALUATION),
    ("osuser StringEquals", [doc(allow(**cond(StringEquals={"ec2:osuser": "ec2-user"})))], ctx(), "allow", EIC_IAM),
    ("osuser StringEquals other user", [doc(allow(**cond(StringEquals={"ec2:osuser": "ec2-user"})))], ctx("root"), "implicit", EIC_IAM),
    ("condition key names case-insensitive",
     [doc(allow(**cond(StringEquals={"EC2:OSUser": "ec2-user"})))], ctx(), "allow", OPERATORS),
    ("StringEquals values case-sensitive", [doc(allow(**cond(StringEquals={"ec2:osuser": "EC2-USER"})))], ctx(), "implicit", OPERATORS),
    ("StringEqualsIgnoreCase", [doc(allow(**cond(StringEqualsIgnoreCase={"ec2:osuser": "EC2-USER"})))], ctx(), "allow", OPERATORS),
    ("StringLike wildcards", [doc(allow(**cond(StringLike={"ec2:osuser": ["ubu*", "ec2-?ser"]})))], ctx(), "allow", OPERATORS),
    ("several values are OR", [doc(allow(**cond(StringEquals={"ec2:osuser": ["root", "ec2-user"]})))], ctx(), "allow", MULTI_KEYS),
    ("several keys are AND",
     [doc(allow(**cond(StringEquals={"ec2:osuser": "ec2-user", "aws:ResourceTag/Team": "a"})))], ctx(Team="b"), "implicit", MULTI_KEYS),
    ("negated operator with several values is NOR",
     [doc(allow(**cond(StringNotEquals={"ec2:osuser": ["root", "ec2-user"]})))], ctx(), "implicit", MULTI_KEYS),
    ("resource tag", [doc(allow(Resource="*", **cond(StringEquals={"aws:ResourceTag/Fleet": "sandbox"})))],
     ctx(Fleet="sandbox"), "allow", EIC_IAM),
    ("resource tag other value", [doc(allow(**cond(StringEquals={"aws:ResourceTag/Fleet": "sandbox"})))],
     ctx(Fleet="prod"), "implicit", OPERATORS),
    ("absent key: plain operator false", [doc(allow(**cond(StringEquals={"aws:ResourceTag/Fleet": "sandbox"})))],
     ctx(), "implicit", OPERATORS),
    ("absent key: negated operator true", [doc(allow(**cond(StringNotEquals={"aws:ResourceTag/Env": "prod"})))],
     ctx(), "allow", OPERATORS),
    ("IfExists with absent key true", [doc(allow(**cond(StringEqualsIfExists={"aws:ResourceTag/Team": "a"})))],
     ctx(), "allow", OPERATORS),
    ("IfExists with present key checks it", [doc(allow(**cond(StringEqualsIfExists={"aws:ResourceTag/Team": "a"})))],
     ctx(Team="b"), "implicit", OPERATORS),
    ("Null false requires the key", [doc(allow(**cond(Null={"aws:ResourceTag/Team": "false"})))], ctx(), "implicit", OPERATORS),
    ("Null false with key", [doc(allow(**cond(Null={"aws:ResourceTag/Team": "false"})))], ctx(Team="b"), "allow", OPERATORS),
    ("Null true with absent key", [doc(allow(**cond(Null={"aws:ResourceTag/Team": "true"})))], ctx(), "allow", OPERATORS),
    ("ArnLike on aws:PrincipalArn",
     [doc(allow(**cond(ArnLike={"aws:PrincipalArn": "arn:aws:iam::123456789012:user/eic-*"})))], ctx(), "allow", OPERATORS),
    ("ForAllValues with absent key is true",
     [doc(allow(**cond(**{"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})))], ctx(), "allow", MULTI),
    ("ForAnyValue with absent key is false",
     [doc(allow(**cond(**{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})))], ctx(), "implicit", MULTI),
    ("ForAnyValue negated with absent key is false (a Deny does not apply)",
     [doc(allow()), doc(deny(**cond(**{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a"]}})))], ctx(), "allow", MULTI),
    ("ForAllValues negated with absent key is true (a Deny applies)",
     [doc(allow()), doc(deny(**cond(**{"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}})))], ctx(), "deny", MULTI),
    ("ForAllValues every value must match",
     [doc(allow(**cond(**{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})))],
     dict(ctx(), **{"aws:tagkeys": ["a", "c"]}), "implicit", MULTI),
    ("ForAnyValue one value suffices",
     [doc(allow(**cond(**{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})))],
     dict(ctx(), **{"aws:tagkeys": ["c", "a"]}), "allow", MULTI),
    ("policy variable in Resource (Version 2012-10-17)",
     [doc(allow(Action="iam:*", Resource="arn:aws:iam::123456789012:user/${aws:username}"))], ctx(), "allow", VARIABLES,
     "iam:ChangePassword", "arn:aws:iam::123456789012:user/eic-user"),
    ("policy variable in condition value",
     [doc(allow(**cond(StringEquals={"aws:ResourceTag/Owner": "${aws:username}"})))], ctx(Owner="eic-user"), "allow", VARIABLES),
    ("no variables without Version 2012-10-17 (literal text)",
     [doc(allow(**cond(StringEquals={"aws:ResourceTag/Owner": "${aws:username}"})), version=None)],
     ctx(Owner="eic-user"), "implicit", VERSION),
    ("no variables with Version 2008-10-17",
     [doc(allow(**cond(StringEquals={"aws:ResourceTag/Owner": "${aws:username}"})), version="2008-10-17")],
     ctx(Owner="eic-user"), "implicit", VERSION),
    ("literal ${...} matches itself without Version",
     [doc(allow(**cond(StringEquals={"aws:ResourceTag/Owner": "${aws:username}"})), version=None)],
     ctx(Owner="${aws:username}"), "allow", VERSION),
    ("DescribeInstances needs Resource *",
     [doc({"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "arn:aws:ec2:*:*:instance/*"})], ctx(),
     "implicit", EC2_RESOURCE_LEVEL, "ec2:DescribeInstances", "*"),
    ("DescribeInstances on Resource *",
     [doc({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})], ctx(), "allow", EC2_RESOURCE_LEVEL,
     "ec2:DescribeInstances", "*"),
    ("DescribeInstances: instance tag condition finds no key",
     [doc({"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*",
           "Condition": {"StringEquals": {"aws:ResourceTag/Fleet": "sandbox"}}})], ctx(), "implicit", OPERATORS,
     "ec2:DescribeInstances", "*"),
    # Operators the evaluator does not implement: refused (deny, logged), never silently skipped.
    ("unimplemented operator in an applicable Allow is refused",
     [doc(allow(**cond(NumericLessThan={"aws:MultiFactorAuthAge": "3600"})))], ctx(), "refused", OPERATORS),
    ("unimplemented operator in an applicable Deny is refused, not ignored",
     [doc(allow()), doc(deny(**cond(NotIpAddress={"aws:SourceIp": "192.0.2.0/24"})))], ctx(), "refused", OPERATORS),
    ("date operator is refused",
     [doc(allow(**cond(DateLessThan={"aws:CurrentTime": "2030-01-01T00:00:00Z"})))], ctx(), "refused", OPERATORS),
    ("explicit deny still wins over a refused statement",
     [doc(deny(Action="*", Resource="*")), doc(allow(**cond(IpAddress={"aws:SourceIp": "10.0.0.0/8"})))], ctx(), "deny", EVALUATION),
    ("unimplemented operator in a statement that does not apply is harmless",
     [doc(allow()), doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                         "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "1"}}})], ctx(), "allow", EVALUATION),
]


class DocumentedCases(unittest.TestCase):
    def test_table(self):
        for case in CASES:
            name, documents, context, expected, source = case[:5]
            action = case[5] if len(case) > 5 else SEND
            resource = case[6] if len(case) > 6 else ARN
            logged = []
            with self.subTest(name, source=source):
                verdict = policy.evaluate(documents, action, resource, context,
                                          {"aws:username": "eic-user"}, log=logged.append)
                self.assertEqual(verdict, expected, f"{name} ({source})")
                self.assertEqual(bool(logged), expected == "refused", f"refusal logged: {name}")

    def test_every_case_names_an_aws_page(self):
        for case in CASES:
            self.assertTrue(case[4].startswith("https://docs.aws.amazon.com/"), case[0])

    def test_refusal_is_logged_loudly(self):
        logged = []
        policy.evaluate([doc(allow(**cond(NumericLessThan={"aws:MultiFactorAuthAge": "3600"})))], SEND, ARN, ctx(),
                        {}, log=logged.append)
        self.assertEqual(len(logged), 1)
        self.assertIn("REFUSED", logged[0])
        self.assertIn("NumericLessThan", logged[0])


class TrustPolicy(unittest.TestCase):
    """Role trust policies (sts:AssumeRole), source: PRINCIPAL_EL."""
    ROOT_TRUST = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}

    def test_account_root_admits_the_account(self):
        self.assertEqual(policy.trust_allows(self.ROOT_TRUST, "sts:AssumeRole",
                                             {"arn:aws:iam::123456789012:user/eic-user"}, "123456789012", {}), "allow")

    def test_other_account_or_principal(self):
        self.assertEqual(policy.trust_allows(self.ROOT_TRUST, "sts:AssumeRole", {"arn:aws:iam::999999999999:user/x"},
                                             "999999999999", {}), "implicit")
        named = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:user/a"]},
                                "Action": "sts:AssumeRole"}]}
        self.assertEqual(policy.trust_allows(named, "sts:AssumeRole", {"arn:aws:iam::123456789012:user/b"},
                                             "123456789012", {}), "implicit")
        self.assertEqual(policy.trust_allows(named, "sts:AssumeRole", {"arn:aws:iam::123456789012:user/a"},
                                             "123456789012", {}), "allow")

    def test_service_principal_does_not_admit_users(self):
        service = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        self.assertEqual(policy.trust_allows(service, "sts:AssumeRole", {"arn:aws:iam::123456789012:user/a"},
                                             "123456789012", {}), "implicit")


if __name__ == "__main__":
    unittest.main()
