import Foundation

/// Checks on values that come from the command line, the environment or the shared files, made before
/// any call so that a typo is an error naming its source, never a silent default or a trap.
extension AWSConfiguration {
    /// AWS_MAX_ATTEMPTS / profile `max_attempts`: at least one attempt; 50 bounds the worst case of the
    /// standard retry mode (20 s backoff ceiling) at about a quarter of an hour.
    public static let maxAttemptsRange = 1...50

    /// The attempt count from `text`, or an error naming `source`.
    static func parseMaxAttempts(_ text: String, source: String) throws(AWSError) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), maxAttemptsRange.contains(value) else {
            throw .configuration("\(source) must be a whole number from \(maxAttemptsRange.lowerBound) to "
                                 + "\(maxAttemptsRange.upperBound) (got '\(text)')")
        }
        return value
    }

    /// The environment variables whose values are checked before anything runs: endpoint URLs (an empty
    /// one must not fall back to the real AWS endpoint) and AWS_MAX_ATTEMPTS.
    public static func validate(environment: [String: String], endpointURL: String?) throws(AWSError) {
        if let endpointURL { _ = try EndpointResolver.parse(endpointURL, source: "--endpoint-url") }
        for name in EndpointResolver.environmentNames {
            if let value = environment[name] { _ = try EndpointResolver.parse(value, source: name) }
        }
        if let attempts = environment["AWS_MAX_ATTEMPTS"] {
            _ = try parseMaxAttempts(attempts, source: "AWS_MAX_ATTEMPTS")
        }
    }
}
