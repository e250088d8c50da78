import EICAWS
import EICCore
import EICCrypto
import EICSSH
import Foundation

/// One EC2 Instance Connect login (AWS task 3): an ephemeral ed25519 key made with OpenSSL, its public
/// half pushed with SendSSHPublicKey (valid 60 s), then an SSH connection authenticated with only that
/// in-memory key. Shared by `eicsetup ssh` and `verify`; free of command-line concerns (no printing,
/// no options parsing), so the engine can reach it through a port.
public struct InstanceConnectLogin: Sendable {
    /// Where and as whom to log in.
    public struct Target: Sendable, Equatable {
        /// The instance the key is pushed to, e.g. `i-0123456789abcdef0`.
        public var instanceId: String
        /// The OS user the key is pushed for and the login uses (`ec2:osuser`).
        public var osUser: String
        /// The address to connect to (public or private IP, or a name).
        public var address: String
        /// The SSH port.
        public var port: Int
        /// The instance's availability zone, passed to SendSSHPublicKey when known.
        public var availabilityZone: String?

        /// A target; the availability zone is optional for SendSSHPublicKey.
        public init(instanceId: String, osUser: String, address: String, port: Int = 22, availabilityZone: String? = nil) {
            self.instanceId = instanceId
            self.osUser = osUser
            self.address = address
            self.port = port
            self.availabilityZone = availabilityZone
        }
    }

    /// Pushes the keys (the caller's AWS identity must be allowed SendSSHPublicKey).
    public var instanceConnect: InstanceConnectClient
    /// The known_hosts file that decides host-key trust.
    public var knownHostsPath: String
    /// What to do with an unknown host key (a changed one is always refused).
    public var hostKeyPolicy: HostKeyPolicy
    /// Limit for connecting and each blocking SSH step, in milliseconds.
    public var connectTimeoutMilliseconds: Int
    /// Default limit for one command run through `SSHConnection.run`, in milliseconds.
    public var commandTimeoutMilliseconds: Int

    /// A login helper with OpenSSH-like defaults (strict host keys).
    public init(instanceConnect: InstanceConnectClient, knownHostsPath: String, hostKeyPolicy: HostKeyPolicy = .strict,
                connectTimeoutMilliseconds: Int = 10_000, commandTimeoutMilliseconds: Int = 300_000) {
        self.instanceConnect = instanceConnect
        self.knownHostsPath = knownHostsPath
        self.hostKeyPolicy = hostKeyPolicy
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
    }

    /// A fresh ephemeral key pair (one per login; it never touches disk).
    public static func generateKey(for target: Target) throws(CommandError) -> Ed25519KeyPair {
        do { return try Ed25519KeyPair.generate() } catch {
            throw .login(LoginFailure(stage: .keyGeneration, target: target, cause: error))
        }
    }

    /// Pushes the public half of `key` for `target.osUser` on `target.instanceId` (valid 60 seconds).
    @discardableResult
    public func push(_ key: Ed25519KeyPair, to target: Target) async throws(CommandError) -> InstanceConnectClient.SendResult {
        do {
            return try await instanceConnect.sendSSHPublicKey(
                instanceId: target.instanceId, osUser: target.osUser, publicKey: key.openSSHPublicKey(),
                availabilityZone: target.availabilityZone)
        } catch {
            throw .login(LoginFailure(stage: .push, target: target, cause: error))
        }
    }

    /// Connects to `target`, checks its host key, and authenticates with only `key`.
    public func connect(_ target: Target, key: Ed25519KeyPair) async throws(CommandError) -> SSHConnection {
        let options = SSHConnectionOptions(
            host: target.address, port: target.port, user: target.osUser, identity: .inMemory(key),
            knownHostsPath: knownHostsPath, hostKeyPolicy: hostKeyPolicy,
            connectTimeoutMilliseconds: connectTimeoutMilliseconds, commandTimeoutMilliseconds: commandTimeoutMilliseconds)
        do { return try await SSHConnection.open(options) } catch {
            throw .login(LoginFailure(stage: .connect, target: target, cause: error))
        }
    }

    /// Push then connect: the whole login. With no `key`, a fresh one is generated.
    public func open(_ target: Target, key existing: Ed25519KeyPair? = nil) async throws(CommandError) -> SSHConnection {
        let key: Ed25519KeyPair
        if let existing { key = existing } else { key = try Self.generateKey(for: target) }
        try await push(key, to: target)
        return try await connect(target, key: key)
    }
}

/// Why an EC2 Instance Connect login failed, with the cause kept for callers that diagnose (verify).
public struct LoginFailure: Sendable, CustomStringConvertible {
    /// The step that failed.
    public enum Stage: String, Sendable {
        /// OpenSSL could not make the ephemeral key.
        case keyGeneration
        /// SendSSHPublicKey failed (nothing was connected).
        case push
        /// The SSH connection, host-key check or authentication failed.
        case connect
    }

    /// The step that failed.
    public let stage: Stage
    /// The login that was attempted.
    public let target: InstanceConnectLogin.Target
    /// The underlying `CryptoError`, `AWSError` or `SSHError`.
    public let cause: any Error

    /// True when AWS refused the push for lack of permission (IAM policy, instance or `ec2:osuser`).
    public var isAccessDenied: Bool {
        guard stage == .push, let error = cause as? AWSError else { return false }
        return ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"].contains(error.code)
    }

    /// True when the server refused the pushed key: EIC is not set up there, or the 60 s had passed.
    public var isKeyRefused: Bool {
        stage == .connect && (cause as? SSHError)?.kind == .authentication
    }

    /// The principal named in an AWS AccessDenied message ("User: arn:…:user/eic-user is not authorized…").
    public var deniedPrincipal: String? {
        guard let error = cause as? AWSError,
              let match = error.message.firstMatch(of: #/User: (arn:[^ ]+) is not authorized/#) else { return nil }
        let arn = String(match.1)
        let resource = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last.map(String.init) ?? arn
        return resource.hasPrefix("user/") ? String(resource.split(separator: "/").last ?? Substring(resource)) : resource
    }

    public var description: String {
        let who = "\(target.osUser)@\(target.instanceId)"
        switch stage {
        case .keyGeneration:
            return "could not generate an ephemeral ed25519 key for \(who): \(cause)"
        case .push where isAccessDenied:
            let message = (cause as? AWSError)?.message ?? "\(cause)"
            return """
                \(deniedPrincipal ?? "this AWS identity") is not allowed to push a key to \(target.instanceId) as \
                \(target.osUser): \(message). Attach a policy allowing ec2-instance-connect:SendSSHPublicKey on this \
                instance with ec2:osuser \(target.osUser) (eicsetup plan's "iam" section), or log in as a user the \
                policy allows. No connection was attempted.
                """
        case .push:
            return "pushing the key to \(who) failed: \(cause). No connection was attempted."
        case .connect where isKeyRefused:
            return """
                \(target.address):\(target.port) refused the EC2 Instance Connect key for \(who): either EC2 Instance \
                Connect is not set up on the instance (package missing, or another AuthorizedKeysCommand; see \
                eicsetup inspect), the user does not exist there, or the key's 60 seconds passed before the login. \
                [\(cause)]
                """
        case .connect:
            return "\(cause)"
        }
    }
}
