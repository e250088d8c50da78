"""Runs one SSM command's invocations for real: AWS-RunShellScript as root inside each target instance's
mount namespace (nsenter into its holder's namespace, `sh _script.sh`, cwd /), at most MaxConcurrency
at once, no new dispatch once more than MaxErrors invocations have failed (the rest end Cancelled).

Lifecycle of an invocation (Status / StatusDetails):
  Pending/Pending -> InProgress/InProgress -> Success/Success | Failed/Failed | TimedOut/ExecutionTimedOut
  Pending/Pending -> TimedOut/DeliveryTimedOut  (agent offline or instance stopped: never delivered; the
                     sandbox waits min(TimeoutSeconds, EICSETUP_SANDBOX_SSM_DELIVERY_SECONDS, default 5 s))
  Pending/Pending -> Cancelled/Cancelled        (MaxErrors exceeded before it was dispatched)
The script and its full output stay in ROOTDIR/run/ssm/<command-id>/ (inside: /var/lib/eicsandbox/ssm/...).
"""
import os
import signal
import subprocess
import threading
import time

from .ssm_model import ERROR_DETAILS, TERMINAL, concurrency_limit, error_limit

INSIDE_RUN = "/var/lib/eicsandbox"
OUTPUT_READ_LIMIT = 1 << 20  # more than any truncation limit; the files keep everything
POLL_SECONDS = 0.02
SCRIPT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def sandbox_delivery_seconds():
    try:
        return max(0.1, float(os.environ.get("EICSETUP_SANDBOX_SSM_DELIVERY_SECONDS", "5")))
    except ValueError:
        return 5.0


class Invocation:
    def __init__(self, command, agent):
        self.command = command
        self.agent = agent
        self.instance_id = agent.instance_id
        self.status = "Pending"
        self.details = "Pending"
        self.response_code = -1
        self.started = None
        self.finished = None
        self.stdout = ""
        self.stderr = ""
        self.process = None
        self.deadline = None
        self.undeliverable = False

    @property
    def terminal(self):
        return self.status in TERMINAL

    def end(self, status, details, clock, response_code=None):
        self.status, self.details = status, details
        if response_code is not None:
            self.response_code = response_code
        self.finished = clock()


class Command:
    def __init__(self, command_id, region, request, agents, fail_chance, clock=time.time):
        (self.instance_ids, self.targets, self.commands, self.max_concurrency, self.max_errors,
         self.delivery_timeout, self.execution_timeout) = request.checked
        self.command_id = command_id
        self.region = region
        self.comment = request.comment
        self.parameters = request.parameters
        self.clock = clock
        self.requested = clock()
        self.fail_chance = fail_chance  # callable: True = this invocation ends Failed (the ssm-fail fault)
        self.invocations = [Invocation(self, agent) for agent in agents]
        self.concurrency = concurrency_limit(self.max_concurrency, len(agents))
        self.errors_allowed = error_limit(self.max_errors, len(agents))
        self.peak_running = 0
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ counts
    def counts(self):
        with self.lock:
            done = [i for i in self.invocations if i.terminal]
            return {"CompletedCount": len(done),
                    "ErrorCount": sum(1 for i in done if i.details in ERROR_DETAILS),
                    "DeliveryTimedOutCount": sum(1 for i in done if i.details == "DeliveryTimedOut")}

    def error_count(self):
        return sum(1 for i in self.invocations if i.terminal and i.details in ERROR_DETAILS)

    # ------------------------------------------------------------------ dispatch loop (one thread per command)
    def start(self):
        thread = threading.Thread(target=self.run, name=f"ssm-{self.command_id}", daemon=True)
        thread.start()
        return thread

    def run(self):
        queue = list(self.invocations)
        running = []
        delivery_cap = min(self.delivery_timeout, sandbox_delivery_seconds())
        while queue or running:
            now = self.clock()
            for invocation in list(running):
                if self.reap(invocation, now):
                    running.remove(invocation)
            waiting = []
            with self.lock:
                stopped = self.error_count() > self.errors_allowed
            for invocation in queue:
                if stopped:
                    with self.lock:
                        invocation.end("Cancelled", "Cancelled", self.clock)
                elif now - self.requested >= (delivery_cap if invocation.undeliverable else self.delivery_timeout):
                    with self.lock:
                        invocation.end("TimedOut", "DeliveryTimedOut", self.clock)
                elif invocation.undeliverable or len(running) >= self.concurrency:
                    waiting.append(invocation)
                elif not invocation.agent.online:
                    invocation.undeliverable = True  # agent offline or instance stopped: it never gets it
                    waiting.append(invocation)
                else:
                    self.dispatch(invocation)
                    if invocation.terminal:  # failed at once (ssm-fail, or it could not start)
                        with self.lock:
                            stopped = self.error_count() > self.errors_allowed
                    else:
                        running.append(invocation)
                    self.peak_running = max(self.peak_running, len(running))
            queue = waiting
            if queue or running:
                time.sleep(POLL_SECONDS)

    def dispatch(self, invocation):
        with self.lock:
            invocation.status = invocation.details = "InProgress"
            invocation.started = self.clock()
        if self.fail_chance():
            with self.lock:
                invocation.stderr = "failed to run commands: sandbox fault ssm-fail (the script did not run)"
                invocation.end("Failed", "Failed", self.clock, 1)
            return
        directory = self.directory(invocation)
        try:
            argv = self.command_line(invocation)
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, "_script.sh"), "w") as script:
                script.write("\n".join(self.commands) + "\n")
            stdout = open(os.path.join(directory, "stdout"), "wb")
            stderr = open(os.path.join(directory, "stderr"), "wb")
            environment = {"PATH": SCRIPT_PATH, "AWS_SSM_INSTANCE_ID": invocation.instance_id,
                           "AWS_SSM_REGION_NAME": self.region}
            with stdout, stderr:
                invocation.process = subprocess.Popen(argv, cwd="/", stdin=subprocess.DEVNULL, stdout=stdout,
                                                      stderr=stderr, env=environment, start_new_session=True)
            invocation.deadline = self.clock() + self.execution_timeout
        except OSError as error:
            with self.lock:
                invocation.stderr = f"failed to run commands: {error}"
                invocation.end("Failed", "Failed", self.clock, 1)

    def directory(self, invocation):
        """Where the script and its output go, on the host (inside the instance: INSIDE_RUN/ssm/<id>)."""
        return os.path.join(invocation.agent.root, "run", "ssm", self.command_id)

    def command_line(self, invocation):
        """`sh _script.sh` as root in the instance's mount namespace (its holder's)."""
        pid = invocation.agent.holder_pid()
        if pid is None:
            raise OSError("the instance is not running")
        return ["nsenter", "--target", str(pid), "--mount", "--", "/bin/sh",
                f"{INSIDE_RUN}/ssm/{self.command_id}/_script.sh"]

    def reap(self, invocation, now):
        """True once the invocation has ended (its process exited or was killed at executionTimeout)."""
        process = invocation.process
        code = process.poll()
        if code is None and now < invocation.deadline:
            return False
        if code is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.wait()
        stdout, stderr = self.read_output(invocation)
        with self.lock:
            invocation.stdout, invocation.stderr = stdout, stderr
            if code is None:
                invocation.end("TimedOut", "ExecutionTimedOut", self.clock, -1)
            elif code == 0:
                invocation.end("Success", "Success", self.clock, 0)
            else:
                invocation.end("Failed", "Failed", self.clock, code if code > 0 else 128 - code)
        return True

    def read_output(self, invocation):
        directory = self.directory(invocation)
        texts = []
        for name in ("stdout", "stderr"):
            try:
                with open(os.path.join(directory, name), "rb") as handle:
                    texts.append(handle.read(OUTPUT_READ_LIMIT).decode("utf-8", errors="replace"))
            except OSError:
                texts.append("")
        return texts
