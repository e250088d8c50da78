import EICSandbox
import Foundation

/// Runs the real `eicsetup` binary, as a user would, and captures what it printed.
public enum CLIRunner {
    public typealias Output = Subprocess.Result

    /// Waits on a GCD thread, never on the cooperative pool: on 2 cores that pool has two threads, and
    /// tests blocking them while a child runs starved every other test's SSH and HTTP continuations.
    public static func run(_ arguments: [String], environment: [String: String]) async throws -> Output {
        try await Subprocess.run(RepositoryPaths.eicsetupBinary, arguments, environment: environment)
    }
}

extension Subprocess.Result {
    /// Both streams, for "appears nowhere" checks.
    public var all: String { stdout + stderr }
}
