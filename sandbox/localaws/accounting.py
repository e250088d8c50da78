"""The record of every AWS call awsd serves (GET /_sandbox/calls, POST /_sandbox/calls/reset).

Pure: the middleware tells it what it served. Read-only = the action's name starts with Describe,
List or Get (sts:GetCallerIdentity included); everything else is mutating — so "zero mutations" is
judged by the peer, not by eicsetup about itself. /_sandbox/* requests are not AWS calls and are not
recorded. Faulted and refused calls are recorded with their HTTP status (they were served).
"""
import threading
import time

READ_ONLY_PREFIXES = ("Describe", "List", "Get")


def is_mutating(action):
    return not (action or "").startswith(READ_ONLY_PREFIXES)


class CallLog:
    def __init__(self, clock=time.time):
        self.clock = clock
        self.lock = threading.Lock()
        self.calls = []
        self.sequence = 0

    def record(self, service, action, status, caller=None, fault=None):
        action = action or "unknown"
        entry = {"service": service or "unknown", "action": action,
                 "mutating": is_mutating(action), "status": status, "caller": caller}
        if fault:
            entry["fault"] = fault
        with self.lock:
            self.sequence += 1
            entry["seq"] = self.sequence
            entry["time"] = round(self.clock(), 3)
            self.calls.append(entry)
        return entry

    def reset(self):
        with self.lock:
            self.calls = []

    def snapshot(self):
        """{"calls": [...], "total": N, "mutating": M, "by_action": {"ec2:DescribeInstances": n, ...},
        "mutating_by_action": {...}} — actions named service:Action."""
        with self.lock:
            calls = list(self.calls)
        by_action, mutating_by_action = {}, {}
        for call in calls:
            name = f"{call['service']}:{call['action']}"
            by_action[name] = by_action.get(name, 0) + 1
            if call["mutating"]:
                mutating_by_action[name] = mutating_by_action.get(name, 0) + 1
        return {"calls": calls, "total": len(calls), "mutating": sum(mutating_by_action.values()),
                "by_action": dict(sorted(by_action.items())),
                "mutating_by_action": dict(sorted(mutating_by_action.items()))}
