import Foundation

/// AWS "standard" retry mode: a bounded number of attempts with exponential backoff and full jitter,
/// only for throttling, transient and 5xx errors — never for other 4xx answers.
public struct RetryPolicy: Sendable {
    public let maxAttempts: Int
    /// First backoff ceiling; doubles per attempt up to `maxBackoff`.
    public let baseDelay: Double
    public let maxBackoff: Double

    public init(maxAttempts: Int, baseDelay: Double = 0.1, maxBackoff: Double = 20) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable"]

    /// Whether an error may succeed when sent again unchanged.
    public func isRetryable(_ error: AWSError) -> Bool {
        switch error.kind {
        case .transport:
            return true
        case .service:
            if Self.throttlingCodes.contains(error.code) || Self.transientCodes.contains(error.code) { return true }
            if let status = error.httpStatus { return [500, 502, 503, 504].contains(status) }
            return false
        case .credentials, .configuration, .malformedResponse:
            return false
        }
    }

    /// The pause before attempt `attempt + 1` (attempt counts from 1): uniform in [0, min(max, base·2^(attempt-1))].
    public func delay(afterAttempt attempt: Int) -> Double {
        let ceiling = min(maxBackoff, baseDelay * pow(2, Double(attempt - 1)))
        return Double.random(in: 0...ceiling)
    }
}
