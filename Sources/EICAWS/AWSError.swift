/// The one error type of EICAWS. It names the service, operation, AWS error code and request id, and
/// says what to do next. It never holds credentials, signatures or request bodies.
public struct AWSError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The service answered with an error document (4xx/5xx).
        case service
        /// No usable credentials were found, or a credential source failed.
        case credentials
        /// Configuration problem: unknown region, bad endpoint URL, unreadable config file.
        case configuration
        /// The request never got an answer (connection refused, timeout, DNS).
        case transport
        /// The answer could not be understood.
        case malformedResponse
    }

    public let kind: Kind
    public let service: String
    public let operation: String
    /// The AWS error code, e.g. `SignatureDoesNotMatch`, `RequestLimitExceeded`.
    public let code: String
    public let message: String
    public let requestId: String?
    public let httpStatus: Int?
    /// How many attempts were made before giving up (1 when not retried).
    public var attempts: Int = 1

    public init(kind: Kind, service: String, operation: String, code: String, message: String,
                requestId: String? = nil, httpStatus: Int? = nil) {
        self.kind = kind
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.requestId = requestId
        self.httpStatus = httpStatus
    }

    static func credentials(_ message: String, code: String = "NoCredentials") -> AWSError {
        AWSError(kind: .credentials, service: "credentials", operation: "resolve", code: code, message: message)
    }

    static func configuration(_ message: String) -> AWSError {
        AWSError(kind: .configuration, service: "config", operation: "load", code: "InvalidConfiguration", message: message)
    }

    /// True for errors that mean "the server did not accept our signature or key".
    public var isAuthenticationFailure: Bool {
        Self.authenticationCodes.contains(code)
    }

    static let authenticationCodes: Set<String> = [
        "SignatureDoesNotMatch", "AuthFailure", "InvalidClientTokenId", "IncompleteSignature",
        "UnrecognizedClientException", "InvalidSignatureException", "RequestExpired",
        "RequestTimeTooSkewed", "InvalidAccessKeyId", "ExpiredToken", "ExpiredTokenException",
    ]

    /// What the operator should check, for the errors where AWS's own text does not say.
    public var hint: String? {
        switch code {
        case "SignatureDoesNotMatch", "AuthFailure", "IncompleteSignature", "InvalidSignatureException":
            return "the request signature was rejected: check that the secret access key belongs to this access key id, "
                + "that the machine clock is right (clock skew), and that the region matches the endpoint"
        case "InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId":
            return "the access key id is unknown to this endpoint: check the credential source, the profile and the endpoint URL"
        case "RequestExpired", "RequestTimeTooSkewed":
            return "the machine clock differs too much from AWS's: synchronise it (e.g. with NTP) and retry"
        case "ExpiredToken", "ExpiredTokenException":
            return "the session token has expired: refresh the temporary credentials"
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
            return "the identity lacks permission for \(service):\(operation); see 'eicsetup whoami' for which identity is used"
        default:
            return nil
        }
    }

    public var description: String {
        switch kind {
        case .service:
            var text = "\(service) \(operation) failed: \(code): \(message)"
            if let status = httpStatus { text += " (HTTP \(status)" + (requestId.map { ", request id \($0)" } ?? "") + ")" }
            if attempts > 1 { text += " after \(attempts) attempts" }
            if let hint { text += " — \(hint)" }
            return text
        case .credentials:
            return "no usable AWS credentials: \(message)"
        case .configuration:
            return "AWS configuration: \(message)"
        case .transport:
            return "\(service) \(operation): could not reach the endpoint: \(message)"
                + (attempts > 1 ? " (after \(attempts) attempts)" : "")
        case .malformedResponse:
            return "\(service) \(operation): unexpected answer from the endpoint: \(message)"
        }
    }
}
