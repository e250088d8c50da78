import Foundation

/// Starting sandbox/awsd.py: it binds a free loopback port itself (`--port 0`) and publishes it in
/// STATE_DIR/awsd.port, so no other process can take the port between choosing and binding it.
public enum LocalAWS {
    /// Starts awsd detached (its own session, clean signal mask) and waits until it listens; returns
    /// (pid, port). Fails fast, with the end of its log, if awsd exits instead.
    public static func start(layout: SandboxLayout, stateDirectory: String, port: Int?, region: String,
                             faults: String?, extraArguments: [String] = [],
                             timeout: Double = 120) async throws(SandboxError) -> (pid: Int32, port: Int) {
        let portFile = stateDirectory + "/awsd.port"
        try? FileManager.default.removeItem(atPath: portFile)
        var environment = ProcessInfo.processInfo.environment
        // Authentication stays off while users and resources are set up; POST /_sandbox/auth-on turns it on.
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "1000000000"
        let log = stateDirectory + "/awsd.log"
        let pid = try Subprocess.spawnDetached(
            layout.python, [layout.awsd, "--port", String(port ?? 0), "--state-dir", stateDirectory, "--region", region]
                + (faults.map { ["--faults", $0] } ?? []) + extraArguments,
            log: log, environment: environment)
        // Written at once (awsd writes the same pid itself later): an interruption from now on must find it.
        try? String(pid).write(toFile: stateDirectory + "/awsd.pid", atomically: true, encoding: .utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try Sandbox.checkInterruption()
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)),
               Loopback.isListening(host: "127.0.0.1", port: bound) {
                return (pid, bound)
            }
            // Not ProcessTable.isRunning: right after the spawn the child may not have exec'd python yet.
            if ChildProcess.hasExited(pid) {
                let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3)
                throw .notReady("the local AWS exited while starting: \(tail.joined(separator: " | "))")
            }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        kill(pid, SIGKILL)
        ChildProcess.reapIfExited(pid)
        throw .notReady("the local AWS did not listen within \(Int(timeout)) s (see \(log))")
    }
}
