import EICCore

/// An authenticated SSH connection to one host, usable from async code. Implements the `RemoteHost` port.
///
/// All libssh2 work happens on the connection's own `DedicatedThread`, never on the cooperative pool.
/// `@unchecked Sendable`: the only mutable state, the session inside `holder`, is touched solely by
/// jobs on that thread, which runs them one at a time.
public final class SSHConnection: RemoteHost, @unchecked Sendable {
    /// Owns the session; accessed only on `thread`.
    final class Holder: @unchecked Sendable {
        var session: SSHSession?
    }

    let thread: DedicatedThread
    let holder: Holder
    /// The options this connection was opened with.
    public let options: SSHConnectionOptions
    /// True when accept-new recorded the host's key while connecting.
    public let hostKeyAdded: Bool

    private init(thread: DedicatedThread, holder: Holder, options: SSHConnectionOptions, hostKeyAdded: Bool) {
        self.thread = thread
        self.holder = holder
        self.options = options
        self.hostKeyAdded = hostKeyAdded
    }

    deinit {
        // Free the session on its own thread, then let the thread end.
        let holder = self.holder
        thread.submit { holder.session = nil }
        thread.stop()
    }

    /// Connects, checks the host key and authenticates (on a new dedicated thread).
    public static func open(_ options: SSHConnectionOptions) async throws -> SSHConnection {
        let thread = DedicatedThread(name: "ssh \(options.displayName)")
        let holder = Holder()
        do {
            let added = try await thread.run {
                let session = try SSHSession.open(options)
                holder.session = session
                return session.hostKeyAdded
            }
            return SSHConnection(thread: thread, holder: holder, options: options, hostKeyAdded: added)
        } catch {
            thread.stop()
            throw error
        }
    }

    /// "user@host:port".
    public var displayName: String { options.displayName }

    /// Runs `command` with the connection's default command timeout.
    public func run(_ command: RemoteCommand, stdin: [UInt8]) async throws -> CommandResult {
        try await run(command, stdin: stdin, timeoutMilliseconds: options.commandTimeoutMilliseconds)
    }

    /// Runs `command` with an explicit timeout.
    public func run(_ command: RemoteCommand, stdin: [UInt8], timeoutMilliseconds: Int) async throws -> CommandResult {
        let holder = self.holder
        return try await thread.run {
            guard let session = holder.session else {
                throw SSHError(.session, operation: "run a command", message: "the connection is closed")
            }
            do {
                return try session.exec(command.text, stdin: stdin, timeoutMilliseconds: timeoutMilliseconds,
                                        outputLimit: command.outputLimit)
            } catch let error as SSHError where error.kind == .outputLimit {
                throw HostError.outputTooLarge(limit: command.outputLimit)
            }
        }
    }

    /// Disconnects now instead of when the last reference goes away.
    public func close() async {
        let holder = self.holder
        _ = try? await thread.run { holder.session = nil }
    }
}
