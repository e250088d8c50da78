"""The per-instance package-command log (sandbox/instance/pkglog.sh, sourced by lib.sh and so by the
yum, apt-get/apt and systemctl stand-ins): one tab-separated line per mutating command in
$RUN/package-commands.log (= ROOTDIR/run/package-commands.log on the host). Runs the shell functions
against a temporary RUN directory; no instance needed."""
import os
import subprocess
import tempfile
import unittest

PKGLOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sandbox", "instance", "pkglog.sh")


def run_commands(run_dir, commands):
    script = "set -u\nRUN=$1\n. \"$2\"\n" + "".join(f"log_package_command {c}\n" for c in commands)
    subprocess.run(["bash", "-c", script, "test", run_dir, PKGLOG], check=True)
    path = os.path.join(run_dir, "package-commands.log")
    if not os.path.exists(path):
        return []
    with open(path) as log:
        return [line.rstrip("\n").split("\t") for line in log]


class PackageCommandLog(unittest.TestCase):
    def test_mutating_commands_are_logged_one_line_each(self):
        with tempfile.TemporaryDirectory() as run_dir:
            lines = run_commands(run_dir, [
                "yum install -y ec2-instance-connect", "yum -q upgrade ec2-instance-connect", "yum update",
                "/usr/bin/apt-get update", "/usr/bin/apt-get -o Dpkg::Options::=--force-confold install -y ec2-instance-connect",
                "/usr/bin/apt install ec2-instance-connect", "/usr/bin/apt-get --option Dpkg::Use-Pty=0 update", "systemctl restart sshd", "systemctl --quiet daemon-reload",
                "systemctl try-restart ssh.service"])
            self.assertEqual([(l[2], l[3]) for l in lines], [
                ("yum", "install -y ec2-instance-connect"), ("yum", "-q upgrade ec2-instance-connect"), ("yum", "update"),
                ("apt-get", "update"), ("apt-get", "-o Dpkg::Options::=--force-confold install -y ec2-instance-connect"),
                ("apt", "install ec2-instance-connect"), ("apt-get", "--option Dpkg::Use-Pty=0 update"), ("systemctl", "restart sshd"),
                ("systemctl", "--quiet daemon-reload"), ("systemctl", "try-restart ssh.service")])
            for line in lines:
                self.assertEqual(len(line), 4)
                self.assertRegex(line[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
                self.assertEqual(line[1], str(os.getuid()))

    def test_queries_are_not_logged(self):
        with tempfile.TemporaryDirectory() as run_dir:
            self.assertEqual(run_commands(run_dir, [
                "yum list installed ec2-instance-connect", "yum info ec2-instance-connect", "yum -q check-update",
                "rpm -q ec2-instance-connect", "dpkg-query -W -f '${Version}' ec2-instance-connect",
                "/usr/bin/apt-get -s -o Debug::NoLocking=1 policy", "systemctl is-active sshd", "systemctl status ssh",
                "systemctl cat ssh", "systemctl -p ExecStart show ssh", "systemctl is-enabled sshd"]), [])

    def test_unwritable_log_never_fails_the_command(self):
        script = "set -eu\nRUN=/nonexistent/dir\n. \"$1\"\nlog_package_command yum install -y x\necho done\n"
        answer = subprocess.run(["bash", "-c", script, "test", PKGLOG], capture_output=True, text=True)
        self.assertEqual((answer.returncode, answer.stdout, answer.stderr), (0, "done\n", ""))


if __name__ == "__main__":
    unittest.main()
