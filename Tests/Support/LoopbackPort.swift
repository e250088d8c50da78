import EICSandbox
import Foundation

/// Free loopback ports and waiting for a listener (a TCP connect, never an HTTP request: moto counts those).
public enum LoopbackPort {
    public static func free() throws -> Int {
        guard let port = Loopback.freePort() else { throw PeerError("no free port on 127.0.0.1") }
        return port
    }

    public static func isListening(host: String = "127.0.0.1", port: Int) -> Bool {
        Loopback.isListening(host: host, port: port)
    }

    /// Polls until host:port accepts connections.
    public static func waitUntilListening(host: String = "127.0.0.1", port: Int, timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if isListening(host: host, port: port) { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw PeerError("nothing listens on \(host):\(port) after \(Int(timeout)) s")
    }
}

/// Kills the peers this test process started when it exits, so no server outlives the run.
public enum PeerReaper {
    nonisolated(unsafe) private static var pids: [Int32] = []
    nonisolated(unsafe) private static var directories: [String] = []
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed = false

    /// Kills `pid` at exit and then removes `directory` (the peer's state), if given.
    public static func register(_ pid: Int32, directory: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        pids.append(pid)
        if let directory { directories.append(directory) }
        if !installed {
            installed = true
            atexit { PeerReaper.killAll() }
        }
    }

    /// Removes `path` (a test's scratch directory) when the test process exits.
    public static func removeAtExit(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        directories.append(path)
        if !installed {
            installed = true
            atexit { PeerReaper.killAll() }
        }
    }

    static func killAll() {
        lock.lock()
        defer { lock.unlock() }
        for pid in pids { kill(pid, SIGTERM) }
        pids.removeAll()
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
        directories.removeAll()
    }
}

/// Starts a small test server on a free loopback port, retrying with another port if the chosen one
/// was taken in the meantime (other processes' outgoing connections use the same port range).
public enum LoopbackServer {
    /// Runs `body` with the port of `Tests/Support/SCRIPT PORT ARGUMENTS…` (a Python peer), stopping it after.
    public static func withPythonPeer(_ script: String, arguments: [String] = [],
                                      _ body: (Int) async throws -> Void) async throws {
        let path = RepositoryPaths.root.appendingPathComponent("Tests/Support/" + script).path
        let (server, port) = try await start { port in [RepositoryPaths.python, path, String(port)] + arguments }
        defer {
            kill(server, SIGTERM)
            ChildProcess.reapIfExited(server)
        }
        try await body(port)
    }

    public static func start(_ arguments: @Sendable (Int) -> [String], attempts: Int = 3,
                             timeout: Double = 60) async throws -> (pid: Int32, port: Int) {
        for _ in 0..<attempts {
            let port = try LoopbackPort.free()
            let pid = try ChildProcess.spawn(arguments(port), stdout: "/dev/null", stderr: "/dev/null",
                                             environment: ProcessInfo.processInfo.environment, newSession: false)
            PeerReaper.register(pid)
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if LoopbackPort.isListening(port: port) { return (pid, port) }
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { break }  // exited: most likely the port was taken
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            kill(pid, SIGKILL)
            ChildProcess.reapIfExited(pid)
        }
        throw PeerError("\(arguments(0).joined(separator: " ")) did not start on a loopback port")
    }
}
