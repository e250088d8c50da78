import EICSandbox
import Foundation

/// Runs the real `eicsetup` binary, as a user would, and captures what it printed.
public enum CLIRunner {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// Both streams, for "appears nowhere" checks.
        public var all: String { stdout + stderr }
    }

    /// Waits on a GCD thread, never on the cooperative pool: on 2 cores that pool has two threads, and
    /// tests blocking them while a child runs starved every other test's SSH and HTTP continuations.
    public static func run(_ arguments: [String], environment: [String: String]) async throws -> Output {
        let base = NSTemporaryDirectory() + "eicsetup-cli-" + UUID().uuidString
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let pid = try ChildProcess.spawn([RepositoryPaths.eicsetupBinary] + arguments, stdout: base + ".out",
                                         stderr: base + ".err", environment: environment, newSession: false)
        let status = await ChildProcess.wait(pid)
        return Output(status: status, stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
    }
}
