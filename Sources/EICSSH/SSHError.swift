import CLibSSH2

/// The one error type of EICSSH. Descriptions say what failed and what to do next; they never contain
/// key material, passphrases or signatures.
public struct SSHError: Error, Sendable, CustomStringConvertible {
    /// The broad reason, for callers that react differently (e.g. "unreachable" vs "refused").
    public enum Kind: String, Sendable {
        /// TCP connect failed or the address did not resolve.
        case connect
        /// An operation did not finish in time.
        case timeout
        /// The host key is not in known_hosts and the policy is strict.
        case hostKeyUnknown
        /// The host key differs from the one in known_hosts (or is revoked).
        case hostKeyChanged
        /// The server refused every key offered.
        case authentication
        /// The identity file is unusable (unreadable, bad permissions, wrong passphrase, unsupported type).
        case identity
        /// ssh-agent could not be used.
        case agent
        /// The SSH protocol or channel failed after connecting.
        case session
        /// A command sent more output than its limit (the connection was cut).
        case outputLimit
    }

    /// The broad reason.
    public let kind: Kind
    /// What was being done, e.g. "handshake with 10.0.0.5:22".
    public let operation: String
    /// libssh2's error code, when libssh2 reported the failure.
    public let code: Int32?
    /// libssh2's last-error text, when there is one.
    public let libssh2Message: String?
    /// The explanation and the next step, for people.
    public let message: String

    /// Builds an error that did not come from libssh2.
    public init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.code = nil
        self.libssh2Message = nil
        self.message = message
    }

    /// Builds an error from libssh2's session state (its last error code and text).
    init(_ kind: Kind, operation: String, session: OpaquePointer?, code: Int32? = nil, message: String) {
        self.kind = kind
        self.operation = operation
        var text: String?
        var last = code ?? 0
        if let session {
            var pointer: UnsafeMutablePointer<CChar>?
            var length: Int32 = 0
            let sessionCode = libssh2_session_last_error(session, &pointer, &length, 0)
            if code == nil { last = sessionCode }
            if let pointer, length > 0 { text = String(cString: pointer) }
        }
        self.code = last
        self.libssh2Message = text
        self.message = message
    }

    /// One or more lines: the message, then the operation and libssh2's own words in brackets.
    public var description: String {
        var detail = [String]()
        if let code, code != 0 { detail.append("libssh2 error \(code)") }
        if let libssh2Message, !libssh2Message.isEmpty { detail.append(libssh2Message) }
        let suffix = detail.isEmpty ? "" : " [\(detail.joined(separator: ": "))]"
        return "\(operation): \(message)\(suffix)"
    }
}
