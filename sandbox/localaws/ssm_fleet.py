"""Which sandbox instances have an SSM agent, and how to reach their namespace (reads the instances' files).

Each instance's root directory is STATE_DIR/instances/<instance-id> (written by `eicsetup sandbox up`):
  run/instance.env   AGENT=online|offline|none (its personality's `agent` column), IP, PERSONALITY, ...
  run/holder.pid     the first process of its mount namespace (nsinit.sh): commands enter that namespace
  etc/os-release     PlatformName (NAME) and PlatformVersion (VERSION_ID) for DescribeInstanceInformation
An agent is "online" only while the instance runs (holder alive); a stopped instance's agent has lost
its connection, as on AWS.
"""
import os
import shlex
import threading

AGENT_VERSION = "3.3.987.0"


class Agent:
    def __init__(self, instance_id, root, values, os_release):
        self.instance_id = instance_id
        self.root = root
        self.registered = values.get("AGENT", "none") in ("online", "offline")
        self.configured_online = values.get("AGENT") == "online"
        self.ip = values.get("IP", "")
        self.platform_name = os_release.get("NAME", "Linux")
        self.platform_version = os_release.get("VERSION_ID", "")

    def holder_pid(self):
        try:
            with open(os.path.join(self.root, "run", "holder.pid")) as handle:
                pid = int(handle.read().strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    @property
    def online(self):
        return self.configured_online and self.holder_pid() is not None

    @property
    def ping_status(self):
        return "Online" if self.online else "ConnectionLost"

    @property
    def computer_name(self):
        return "ip-" + self.ip.replace(".", "-") + ".ec2.internal" if self.ip else ""


def read_env(path):
    """KEY=VALUE lines with shell-quoted values (as `sandbox up` writes instance.env and os-release)."""
    values = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, sep, raw = line.strip().partition("=")
                if not sep or key.startswith("#"):
                    continue
                try:
                    parts = shlex.split(raw)
                except ValueError:
                    parts = [raw]
                values[key] = parts[0] if parts else ""
    except OSError:
        pass
    return values


class Fleet:
    """The registered agents, read once per instance (instance.env and os-release do not change)."""

    def __init__(self, state_dir):
        self.directory = os.path.join(state_dir, "instances")
        self.lock = threading.Lock()
        self.cache = {}

    def agent(self, instance_id):
        """The instance's Agent (registered or not), or None when the sandbox has no such instance."""
        with self.lock:
            if instance_id in self.cache:
                return self.cache[instance_id]
        root = os.path.join(self.directory, instance_id)
        env_path = os.path.join(root, "run", "instance.env")
        if "/" in instance_id or not os.path.isfile(env_path):
            return None
        agent = Agent(instance_id, root, read_env(env_path), read_env(os.path.join(root, "etc", "os-release")))
        with self.lock:
            self.cache[instance_id] = agent
        return agent

    def registered(self):
        """Every registered agent, in instance-id order."""
        try:
            names = sorted(os.listdir(self.directory))
        except OSError:
            return []
        agents = (self.agent(name) for name in names)
        return [agent for agent in agents if agent is not None and agent.registered]
