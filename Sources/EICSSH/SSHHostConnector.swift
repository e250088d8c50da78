import EICCore
import Foundation
import Synchronization

/// The `HostConnector` port over libssh2: each host gets its own `SSHConnection` (and dedicated thread).
/// SSH errors become `HostConnectError`s the planner can explain.
public struct SSHHostConnector: HostConnector {
    let passphrase: PassphraseSource
    let agentSocket: String?

    /// `passphrase` is asked at most once per key file, however many hosts connect in parallel.
    public init(passphrase: PassphraseSource, agentSocket: String?) {
        let cache = Mutex<[String: [UInt8]?]>([:])
        self.passphrase = PassphraseSource { path in
            cache.withLock { known in
                if let answer = known[path] { return answer }
                let answer = passphrase.provide(path)
                known[path] = answer
                return answer
            }
        }
        self.agentSocket = agentSocket
    }

    public func open(_ target: HostTarget) async throws -> any RemoteHost {
        let identity: SSHIdentity
        if let file = target.identityFile {
            identity = .keyFile(path: file)
        } else if let agentSocket {
            identity = .agent(socketPath: agentSocket)
        } else {
            throw HostConnectError(kind: .identity, message: "no identity file in the plan and no ssh-agent (SSH_AUTH_SOCK)")
        }
        let options = SSHConnectionOptions(
            host: target.address, port: target.port, user: target.user, identity: identity, knownHostsPath: target.knownHostsPath,
            hostKeyPolicy: target.hostKeys == .acceptNew ? .acceptNew : .strict, passphrase: passphrase,
            connectTimeoutMilliseconds: target.connectTimeoutSeconds * 1000,
            commandTimeoutMilliseconds: target.commandTimeoutSeconds * 1000)
        do {
            return try await SSHConnection.open(options)
        } catch let error as SSHError {
            throw Self.connectError(error)
        }
    }

    static func connectError(_ error: SSHError) -> HostConnectError {
        let kind: HostConnectError.Kind
        switch error.kind {
        case .connect: kind = .unreachable
        case .timeout: kind = .timeout
        case .hostKeyUnknown: kind = .hostKeyUnknown
        case .hostKeyChanged: kind = .hostKeyChanged
        case .authentication: kind = .authentication
        case .identity, .agent: kind = .identity
        case .session, .outputLimit: kind = .session
        }
        return HostConnectError(kind: kind, message: error.description)
    }
}

extension SSHConnection {
    /// The port's per-command limit, in seconds.
    public func run(_ command: RemoteCommand, stdin: [UInt8], timeoutSeconds: Int) async throws -> CommandResult {
        try await run(command, stdin: stdin, timeoutMilliseconds: timeoutSeconds * 1000)
    }
}
