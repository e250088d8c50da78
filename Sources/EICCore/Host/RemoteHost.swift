/// A command line for a remote POSIX shell, built only from quoted arguments or vetted constants.
public struct RemoteCommand: Sendable, Equatable {
    /// The exact text handed to the remote shell.
    public let text: String
    /// The most output (stdout and stderr together) the host may send back; past it the command fails with
    /// `HostError.outputTooLarge` and reading stops. A host is not trusted to be brief: a login shell
    /// replaced by `yes` or a forged probe answer would otherwise grow memory without bound. Our probe's
    /// answer is tens of KiB and a package manager's log a few hundred, so 4 MiB leaves room for a large
    /// sshd configuration while holding even 500 hosts at once to a bounded total.
    public private(set) var outputLimit: Int = RemoteCommand.defaultOutputLimit

    /// 4 MiB: see `outputLimit`.
    public static let defaultOutputLimit = 4 << 20

    /// Quotes every argument, so no value can be read as shell syntax.
    public init(arguments: [String]) {
        text = arguments.map(ShellQuote.quote).joined(separator: " ")
    }

    private init(text: String) { self.text = text }

    /// The same command with another output limit (bytes, at least 1).
    public func limitingOutput(to bytes: Int) -> RemoteCommand {
        var copy = self
        copy.outputLimit = max(1, bytes)
        return copy
    }

    /// Runs a fixed script (a constant of this program, never user input) under `sh -c`, so the
    /// remote login shell (bash, zsh, fish…) cannot change how it is read.
    public static func script(_ body: String) -> RemoteCommand {
        RemoteCommand(text: "sh -c " + ShellQuote.quote(body))
    }
}

/// What a remote command produced.
public struct CommandResult: Sendable, Equatable {
    /// Bytes written to standard output.
    public var stdout: [UInt8]
    /// Bytes written to standard error.
    public var stderr: [UInt8]
    /// The exit status; nil when the command ended by a signal or the server sent none.
    public var exitStatus: Int32?
    /// The signal name (e.g. "KILL") when the command was killed by one.
    public var exitSignal: String?

    /// Collects the outputs of one command.
    public init(stdout: [UInt8], stderr: [UInt8], exitStatus: Int32?, exitSignal: String? = nil) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
    }

    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// The port through which core logic reaches an instance (design §4). The SSH adapter implements it;
/// tests of core use in-memory fakes.
public protocol RemoteHost: Sendable {
    /// A name for messages, e.g. "ec2-user@203.0.113.10:22".
    var displayName: String { get }

    /// Runs `command`, feeding `stdin` to it, and returns its outputs and exit status.
    func run(_ command: RemoteCommand, stdin: [UInt8]) async throws -> CommandResult

    /// Runs `command` with its own time limit (installs may need longer than probes).
    func run(_ command: RemoteCommand, stdin: [UInt8], timeoutSeconds: Int) async throws -> CommandResult

    /// Ends the session; later calls fail.
    func close() async
}

/// The one error type of EICCore's host side; each description says what to check next.
public enum HostError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The probe's output could not be understood.
    case probeUnreadable(reason: String)
    /// A remote file could not be read (the remote `cat`'s error output).
    case remoteFileUnreadable(path: String, reason: String)
    /// The command sent more than its `outputLimit`; reading stopped and the connection was closed.
    case outputTooLarge(limit: Int)
    /// The transport kept only the first `limit` characters of the output (SSM Run Command), so the
    /// answer would be incomplete: a failure, never a partial fact.
    case outputTruncated(limit: Int)
    /// The transport could not run the command, or not learn how it ended (SSM delivery, time limits).
    case commandNotRun(reason: String)

    /// What was wrong, without the advice.
    public var reason: String {
        switch self {
        case .probeUnreadable(let reason), .remoteFileUnreadable(_, let reason): return reason
        case .outputTooLarge(let limit): return "the command's output passed \(limit / 1024) KiB"
        case .outputTruncated(let limit): return "the command's output passed the \(limit) characters SSM Run Command returns"
        case .commandNotRun(let reason): return reason
        }
    }

    public var description: String {
        switch self {
        case .probeUnreadable(let reason):
            return "the host probe's answer could not be read (\(reason)); is the remote shell POSIX sh with base64 available?"
        case .remoteFileUnreadable(let path, let reason):
            return "cannot read \(path) on the remote host: \(reason)"
        case .outputTooLarge(let limit):
            return "the host sent more than \(limit / 1024) KiB of output for one command, so eicsetup stopped reading and "
                + "closed the connection; check the login user's shell and profile (a login shell or profile that prints "
                + "endlessly, or a tampered host)"
        case .outputTruncated(let limit):
            return "SSM Run Command returns only the first \(limit) characters of a command's output and this one had more, "
                + "so eicsetup did not use it (an unusually large sshd configuration?); reach this host over SSH (\"transport\": \"ssh\")"
        case .commandNotRun(let reason):
            return "SSM Run Command: \(reason)"
        }
    }
}

extension RemoteHost {
    /// Hosts without their own limit use their default one.
    public func run(_ command: RemoteCommand, stdin: [UInt8], timeoutSeconds: Int) async throws -> CommandResult {
        try await run(command, stdin: stdin)
    }

    /// Nothing to close by default.
    public func close() async {}

    /// Runs `command` without input.
    public func run(_ command: RemoteCommand) async throws -> CommandResult {
        try await run(command, stdin: [])
    }

    /// Reads a remote file with `cat`; the path is quoted, never interpreted.
    public func readFile(_ path: String) async throws -> [UInt8] {
        let result = try await run(RemoteCommand(arguments: ["cat", "--", path]))
        guard result.exitStatus == 0 else {
            throw HostError.remoteFileUnreadable(path: path, reason: result.stderrText.trimmingWhitespace())
        }
        return result.stdout
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    package func trimmingWhitespace() -> String {
        // By scalars: "\r\n" is one Character, equal to neither "\r" nor "\n".
        let isSpace: (Character) -> Bool = { $0.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" } }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
