import EICSandbox
import EICTestSupport
import Foundation

/// Runs helper programs (ssh-keygen, ssh-add, sshd…) for the tests with posix_spawn (ChildProcess) and
/// waitpid. Foundation's Process is avoided: its waitUntilExit hung here when called from a lazy static
/// initialiser, and its pipes leak into concurrently spawned daemons.
enum Shell {
    struct Failure: Error, CustomStringConvertible {
        let command: [String]
        let status: Int32
        let stderr: String
        var description: String { "\(command.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    /// A started child process.
    final class Child: @unchecked Sendable {  // test helper; pid is immutable, reaped once under lock
        let pid: pid_t
        private let lock = NSLock()
        private var reaped = false
        init(pid: pid_t) { self.pid = pid }

        /// Sends SIGTERM and reaps the child.
        func terminate() {
            lock.lock()
            defer { lock.unlock() }
            guard !reaped else { return }
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            reaped = true
        }

        /// True while the child has not exited.
        var isRunning: Bool {
            lock.lock()
            defer { lock.unlock() }
            guard !reaped else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true }
            return !reaped
        }
    }

    /// Starts `arguments` with stdin from /dev/null and stdout/stderr appended to the given files.
    static func spawn(_ arguments: [String], stdout: String = "/dev/null", stderr: String = "/dev/null",
                      environment: [String: String] = [:]) throws -> Child {
        // ChildProcess resets the signal mask: test threads (dispatch workers) block signals and a child
        // inherits that mask, so a spawned ssh-agent or sshd would otherwise ignore SIGTERM.
        let pid = try ChildProcess.spawn(arguments, stdout: stdout, stderr: stderr,
                                         environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                         newSession: false)
        return Child(pid: pid)
    }

    /// Runs `arguments` to completion; returns stdout, throws with stderr on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let base = NSTemporaryDirectory() + "eicssh-run-" + UUID().uuidString
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let child = try spawn(arguments, stdout: base + ".out", stderr: base + ".err", environment: environment)
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        // WIFEXITED/WEXITSTATUS are macros; status 0 means "exited with 0".
        guard status == 0 else { throw Failure(command: arguments, status: status, stderr: errors) }
        return output
    }

    static func makeTemporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "eicssh-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        PeerReaper.removeAtExit(path)  // keys, agent sockets: nothing of a test run stays in /tmp
        return path
    }
}
