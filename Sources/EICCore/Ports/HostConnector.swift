/// The port that opens a `RemoteHost` for one instance (design §4). `EICSSH.SSHHostConnector` implements
/// it with libssh2; core tests use an in-memory fake.
public protocol HostConnector: Sendable {
    /// Connects, checks the host key and authenticates; throws `HostConnectError`.
    func open(_ target: HostTarget) async throws -> any RemoteHost
}

/// How to reach one host.
public struct HostTarget: Sendable, Equatable, Codable {
    public var address: String
    public var port: Int
    public var user: String
    /// The private key file; nil means the ssh-agent.
    public var identityFile: String?
    public var knownHostsPath: String
    public var hostKeys: HostKeyMode
    public var connectTimeoutSeconds: Int
    public var commandTimeoutSeconds: Int
    /// SSH, or SSM Run Command to `instanceId` (address, port, user and keys then do not apply).
    public var transport: HostTransport
    /// The EC2 instance, for transports that address instances rather than IP addresses.
    public var instanceId: String?

    public init(address: String, port: Int, user: String, identityFile: String?, knownHostsPath: String,
                hostKeys: HostKeyMode, connectTimeoutSeconds: Int = 15, commandTimeoutSeconds: Int = 300) {
        self.address = address
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.knownHostsPath = knownHostsPath
        self.hostKeys = hostKeys
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.commandTimeoutSeconds = commandTimeoutSeconds
        self.transport = .ssh
        self.instanceId = nil
    }

    /// Run Command to `instanceId`: the agent runs commands as root, so there is no login user or key.
    public static func ssm(instanceId: String, commandTimeoutSeconds: Int) -> HostTarget {
        var target = HostTarget(address: instanceId, port: 0, user: "root", identityFile: nil, knownHostsPath: "",
                                hostKeys: .strict, commandTimeoutSeconds: commandTimeoutSeconds)
        target.transport = .ssm
        target.instanceId = instanceId
        return target
    }

    /// "user@address:port", or "ssm:i-…" under Run Command.
    public var displayName: String {
        transport == .ssm ? "ssm:\(instanceId ?? address)" : "\(user)@\(address):\(port)"
    }
}

/// What to do with a host key that known_hosts does not have yet. A changed key is always refused.
public enum HostKeyMode: String, Sendable, Codable, CaseIterable {
    /// Refuse unknown hosts (the default).
    case strict
    /// Record the key on first contact and trust it afterwards, like OpenSSH's accept-new.
    case acceptNew = "accept-new"
}

/// Why a host could not be opened, as the planner reports it. It keeps the adapter's error as `cause`
/// (e.g. `SSHError` with libssh2's code and operation) for callers that want more than the kind.
public struct HostConnectError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// Refused, unroutable, name not resolved.
        case unreachable
        /// No answer in time.
        case timeout
        /// known_hosts does not know the key and the policy is strict.
        case hostKeyUnknown
        /// The key differs from known_hosts (or is revoked): possibly an attack; always refused.
        case hostKeyChanged
        /// The server refused the key.
        case authentication
        /// The key file is unusable.
        case identity
        /// Anything else after connecting.
        case session
    }

    public var kind: Kind
    /// The adapter's explanation, with the next step.
    public var message: String
    /// The adapter's error, when there was one (its description is already free of secrets).
    public var cause: (any Error & Sendable)?

    public init(kind: Kind, message: String, cause: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    /// Equal when the kind and the message are: the cause is detail, not identity.
    public static func == (lhs: HostConnectError, rhs: HostConnectError) -> Bool {
        lhs.kind == rhs.kind && lhs.message == rhs.message
    }
}
