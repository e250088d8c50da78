/// The port for one EC2 Instance Connect login (design §1, task 3): push an ephemeral key with
/// SendSSHPublicKey, connect with only that key, run `true`. The adapter (EICCommands over EICSSH and
/// EICCrypto) generates the key; the core never sees key material.
public protocol InstanceLogin: Sendable {
    func login(_ request: LoginRequest) async -> LoginResult
}

/// Where and as whom to log in.
public struct LoginRequest: Sendable, Equatable {
    public var instanceId: String
    public var osUser: String
    public var address: String
    public var port: Int
    public var availabilityZone: String?

    public init(instanceId: String, osUser: String, address: String, port: Int, availabilityZone: String?) {
        self.instanceId = instanceId
        self.osUser = osUser
        self.address = address
        self.port = port
        self.availabilityZone = availabilityZone
    }
}

/// How one login attempt ended, as the verifier diagnoses it.
public enum LoginResult: Sendable, Equatable {
    case ok
    /// SendSSHPublicKey was refused: the caller's IAM policies do not allow this instance/OS user.
    case accessDenied(String)
    /// sshd refused the pushed key (EIC not configured there, or the key expired first).
    case keyRefused(String)
    case hostKeyChanged(String)
    case hostKeyUnknown(String)
    /// No SSH answer (refused, timed out, filtered).
    case unreachable(String)
    case other(String)
}
