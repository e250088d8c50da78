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
