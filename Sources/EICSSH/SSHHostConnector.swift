import EICCore
import Foundation
import Synchronization

/// The `HostConnector` port over libssh2: each host gets its own `SSHConnection` (and dedicated thread).
/// SSH errors become `HostConnectError`s the planner can explain.
public struct SSHHostConnector: HostConnector {
    let passphrase: PassphraseSource
    let agentSocket: String?
    /// Set by `deferringHostKeyRecords()`: accept-new trusts new keys in memory and lists them here.
    let unrecorded: UnrecordedHostKeys?

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
        unrecorded = nil
    }

    private init(_ base: SSHHostConnector, unrecorded: UnrecordedHostKeys) {
        passphrase = base.passphrase
        agentSocket = base.agentSocket
        self.unrecorded = unrecorded
    }

    /// This connector, but accept-new writes nothing to known_hosts: new keys are trusted for this
    /// process only and listed in `unrecordedHostKeys` (plan reads only; apply records them).
    public func deferringHostKeyRecords() -> SSHHostConnector {
        SSHHostConnector(self, unrecorded: UnrecordedHostKeys())
    }

    /// "address:port" of every host whose new key was trusted without being recorded, sorted.
    public var unrecordedHostKeys: [String] { unrecorded?.hosts.withLock { $0.sorted() } ?? [] }

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
        var chosen = options
        chosen.recordNewHostKeys = unrecorded == nil
        do {
            let connection = try await SSHConnection.open(chosen)
            if connection.hostKeyAdded, let unrecorded {
                unrecorded.hosts.withLock { _ = $0.insert("\(target.address):\(target.port)") }
            }
            return connection
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
        return HostConnectError(kind: kind, message: error.description, cause: error)
    }
}

/// Hosts whose new key accept-new trusted without recording it.
final class UnrecordedHostKeys: Sendable {
    let hosts = Mutex<Set<String>>([])
}

extension SSHConnection {
    /// The port's per-command limit, in seconds.
    public func run(_ command: RemoteCommand, stdin: [UInt8], timeoutSeconds: Int) async throws -> CommandResult {
        try await run(command, stdin: stdin, timeoutMilliseconds: timeoutSeconds * 1000)
    }
}
