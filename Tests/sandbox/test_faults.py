"""awsd's --faults spec (sandbox/localaws/faults.py; pure)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "sandbox"))
from localaws import faults  # noqa: E402


class Faults(unittest.TestCase):
    def test_parse(self):
        self.assertEqual(faults.parse_faults("throttle=0.2, error5xx=0.1,iam-delay=5,ssh-drop=0.1,slow-install=3"),
                         {"throttle": 0.2, "error5xx": 0.1, "iam-delay": 5.0, "ssh-drop": 0.1, "slow-install": 3.0})
        self.assertEqual(faults.parse_faults(""), {})
        self.assertEqual(faults.parse_faults("ssm-throttle=0.5,ssm-fail=1"), {"ssm-throttle": 0.5, "ssm-fail": 1.0})
        for bad in ("throttle=2", "ssm-fail=1.5", "ssm-throttle=-0.1", "nope=1", "throttle", "iam-delay=x", "slow-install=-1"):
            with self.assertRaises(SystemExit):
                faults.parse_faults(bad)

    def test_error_bodies(self):
        self.assertIn("<Code>RequestLimitExceeded</Code>", faults.ec2_error_response("RequestLimitExceeded", "m", "r"))
        body = faults.xml_error_response("iam", "Sender", "Throttling", "Rate exceeded", "r")
        self.assertIn("<Code>Throttling</Code>", body)
        self.assertIn("https://iam.amazonaws.com/doc/2010-05-08/", body)


if __name__ == "__main__":
    unittest.main()
