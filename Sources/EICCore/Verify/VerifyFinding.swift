/// Why one instance failed verification, with the facts that say so; the views word it and its
/// `diagnosis` classifies it. Like `ActionReason`, it is for people and scripts, not for the core to
/// branch on further.
public enum VerifyFinding: Sendable, Equatable {
    /// The instance is not running (`state` as EC2 names it).
    case notRunning(state: String)
    /// No address of the kind the plan connects to.
    case noAddress
    /// SendSSHPublicKey kept being refused for `user`, `retriedSeconds` long.
    case accessDenied(user: String, retriedSeconds: Int, message: String)
    case hostKeyChanged(message: String)
    case hostKeyUnknown(message: String)
    /// sshd refused the pushed key, and the fleet-key probe had found nothing to say why.
    case keyRefusedUnprobed(message: String)
    /// sshd runs someone else's AuthorizedKeysCommand.
    case foreignCommand(ForeignCommand)
    /// The package is not installed (`sudoNeedsPassword`: which is why apply could not install it).
    case packageMissing(sudoNeedsPassword: Bool)
    /// The package is installed but sshd runs no AuthorizedKeysCommand.
    case noAuthorizedKeysCommand
    /// The key's 60 seconds passed before the login finished (`seconds` it took).
    case keyExpired(seconds: Int)
    /// sshd's configuration names EIC's command but the running sshd refused the key.
    case sshdNotRestarted(message: String)
    /// No answer, and none of the instance's `groups` allows tcp/`port` from `source`.
    case securityGroupClosed(groups: [String], port: Int, source: String, message: String)
    /// No answer on tcp/`port`.
    case noAnswer(port: Int, message: String)
    /// Anything else, as the login (or the error) said it.
    case other(String)

    /// The cause, classified.
    public var diagnosis: VerifyResult.Diagnosis {
        switch self {
        case .notRunning, .noAddress, .noAnswer: return .unreachable
        case .accessDenied: return .noPermission
        case .hostKeyChanged: return .hostKeyMismatch
        case .hostKeyUnknown: return .hostKeyUnknown
        case .keyRefusedUnprobed, .foreignCommand, .packageMissing, .noAuthorizedKeysCommand, .sshdNotRestarted: return .eicNotConfigured
        case .keyExpired: return .keyExpired
        case .securityGroupClosed: return .securityGroup
        case .other: return .other
        }
    }
}
