/// Everything needed to open one authenticated SSH session.
public struct SSHConnectionOptions: Sendable {
    /// Address or name of the host.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Login user.
    public var user: String
    /// The key file or agent to authenticate with.
    public var identity: SSHIdentity
    /// The OpenSSH known_hosts file to check and (with accept-new) extend.
    public var knownHostsPath: String
    /// What to do with an unknown host key.
    public var hostKeyPolicy: HostKeyPolicy
    /// Where the passphrase of an encrypted key comes from.
    public var passphrase: PassphraseSource
    /// Limit for TCP connect, and for each blocking libssh2 call (handshake, auth), in milliseconds.
    public var connectTimeoutMilliseconds: Int
    /// Default limit for one remote command, in milliseconds.
    public var commandTimeoutMilliseconds: Int
    /// With accept-new: false trusts an unknown key for this process only, without writing known_hosts
    /// (`plan` only reads; apply records the key when it connects).
    public var recordNewHostKeys = true

    /// Options with OpenSSH-like defaults: strict host keys, 10 s to connect, 5 min per command.
    public init(host: String, port: Int = 22, user: String, identity: SSHIdentity, knownHostsPath: String,
                hostKeyPolicy: HostKeyPolicy = .strict, passphrase: PassphraseSource = .none,
                connectTimeoutMilliseconds: Int = 10_000, commandTimeoutMilliseconds: Int = 300_000) {
        self.host = host
        self.port = port
        self.user = user
        self.identity = identity
        self.knownHostsPath = knownHostsPath
        self.hostKeyPolicy = hostKeyPolicy
        self.passphrase = passphrase
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
    }

    /// "user@host:port", for messages.
    public var displayName: String { "\(user)@\(host):\(port)" }
}
