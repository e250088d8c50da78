import Foundation

/// Reads /proc: liveness of our own pids (checked against their command line, so a recycled pid is
/// never signalled) and memory per mount namespace (an instance is exactly one namespace).
enum ProcessTable {
    /// True if `pid` runs and its command line contains `marker`.
    static func isRunning(_ pid: Int32, marker: String) -> Bool {
        ChildProcess.reapIfExited(pid)
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let commandLine = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return commandLine.contains(marker)
    }

    /// Whether any process on the machine has `marker` in its command line.
    static func anyRunning(marker: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in Int32(entry).map { isRunning($0, marker: marker) } ?? false }
    }

    /// The mount namespace id of `pid` (e.g. "mnt:[4026532301]").
    static func mountNamespace(_ pid: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/mnt")
    }

    /// Proportional set size (PSS) in KiB summed per mount namespace, over every process of the machine.
    /// PSS splits shared pages (sshd's code, libraries) between the processes that map them, so the sum
    /// over instances is what the fleet really costs; RSS would count the shared pages once per process.
    static func memoryKiBByNamespace() -> [String: Int] {
        var totals: [String: Int] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let namespace = mountNamespace(pid),
                  let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { continue }
            for line in rollup.split(separator: "\n") where line.hasPrefix("Pss:") {
                let kib = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                totals[namespace, default: 0] += kib
            }
        }
        return totals
    }

    /// Sends SIGTERM, waits up to `grace` seconds, then SIGKILL.
    static func stop(_ pid: Int32, marker: String, grace: Double) async {
        guard isRunning(pid, marker: marker) else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if !isRunning(pid, marker: marker) { return }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        if isRunning(pid, marker: marker) { kill(pid, SIGKILL) }
    }
}
