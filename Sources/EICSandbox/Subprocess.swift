import Foundation

/// Runs helper programs (the instance scripts, ssh-keygen) without blocking Swift's cooperative pool:
/// the blocking reads happen on GCD threads and completion arrives through a continuation.
public enum Subprocess {
    /// A finished program's exit status (128 + signal when killed) and what it printed.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `executable` to completion with a clean signal mask and only stdio inherited, in its own
    /// process group: a Ctrl-C must reach eicsetup only, which then rolls back in order (a start.sh killed
    /// half-way would leave an instance nobody knows the pid of).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws(SandboxError) -> Result {
        // Output goes to files, not pipes: a script that leaves a daemon behind (start.sh) would otherwise
        // keep a pipe's write end open in that daemon, and reading to end-of-file would never finish.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("eicsetup-\(UUID().uuidString)")
        let outPath = scratch.path + ".out"
        let errPath = scratch.path + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let pid = try ChildProcess.spawn([executable] + arguments, stdout: outPath, stderr: errPath,
                                         environment: environment ?? ProcessInfo.processInfo.environment, newSession: false,
                                         newProcessGroup: true)
        let status = await ChildProcess.wait(pid)
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Result(status: status, stdout: stdout, stderr: stderr)
    }

    /// Runs and insists on exit status 0.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws(SandboxError) -> String {
        let result = try await run(executable, arguments, environment: environment)
        guard result.status == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw .commandFailed(command: ([name] + arguments.prefix(2)).joined(separator: " "), status: result.status,
                                 output: result.stderr.isEmpty ? result.stdout : result.stderr)
        }
        return result.stdout
    }

    /// Starts a long-lived program in its own session (so it outlives this process and no terminal
    /// signal reaches it), output appended to `log`; returns its pid.
    static func spawnDetached(_ executable: String, _ arguments: [String], log: String,
                              environment: [String: String]) throws(SandboxError) -> Int32 {
        try ChildProcess.spawn([executable] + arguments, stdout: log, stderr: log, environment: environment, newSession: true)
    }
}
