import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Free loopback ports and waiting for a listener (a TCP connect, never an HTTP request: moto counts those).
public enum LoopbackPort {
    /// A port the kernel just handed out on 127.0.0.1 (closed again; a tiny race is acceptable in tests).
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PeerError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PeerError("bind() on 127.0.0.1 failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on host:port right now.
    public static func isListening(host: String = "127.0.0.1", port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
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
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed = false

    public static func register(_ pid: Int32) {
        lock.lock()
        defer { lock.unlock() }
        pids.append(pid)
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
    }
}
