import Foundation

/// Credentials together with where they came from (for `whoami` and error messages).
public struct ResolvedCredentials: Sendable {
    public let credentials: AWSCredentials
    /// Human-readable source, e.g. "environment variables" or "profile 'dev' (~/.aws/credentials)".
    public let source: String
}

/// One place credentials can come from. Returns nil when that place is simply not configured,
/// throws when it is configured but broken (so the chain stops with the real reason).
public protocol CredentialProvider: Sendable {
    func resolve() async throws(AWSError) -> ResolvedCredentials?
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func resolve() async throws(AWSError) -> ResolvedCredentials? {
        let keyId = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (keyId, secret) {
        case (nil, nil):
            return nil
        case (.some, nil), (nil, .some):
            throw .credentials("only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set; set both or neither",
                               code: "PartialCredentials")
        case let (.some(keyId), .some(secret)):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return ResolvedCredentials(
                credentials: AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token),
                source: "environment variables")
        }
    }
}

/// Tries providers in order; the first that returns credentials wins. Results are cached until
/// shortly before they expire, so a fleet-wide run resolves credentials once.
public actor CredentialChain {
    private let providers: [any CredentialProvider]
    private let describeOrder: String
    private var cached: ResolvedCredentials?
    /// The resolution under way: concurrent callers (a fleet's parallel actions) wait for this one
    /// instead of each starting their own (N AssumeRole calls, N credential_process runs).
    private var inFlight: Task<ResolvedCredentials, any Error>?

    public init(providers: [any CredentialProvider], describeOrder: String) {
        self.providers = providers
        self.describeOrder = describeOrder
    }

    /// Returns credentials, resolving (again) when there are none or they expire within five minutes.
    public func resolve() async throws(AWSError) -> ResolvedCredentials {
        if let cached, !Self.expiresSoon(cached.credentials) { return cached }
        let task: Task<ResolvedCredentials, any Error>
        if let inFlight {
            task = inFlight
        } else {
            task = Task { try await self.resolveFromProviders() }
            inFlight = task
        }
        do {
            let found = try await task.value
            cached = found
            inFlight = nil
            return found
        } catch {
            inFlight = nil
            throw (error as? AWSError) ?? .credentials("credential resolution failed: \(error)")
        }
    }

    private func resolveFromProviders() async throws(AWSError) -> ResolvedCredentials {
        for provider in providers {
            if let found = try await provider.resolve() {
                cached = found
                return found
            }
        }
        throw .credentials("none found in \(describeOrder). Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                           + "or pass --profile NAME for a profile in ~/.aws/credentials or ~/.aws/config")
    }

    static func expiresSoon(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSinceNow < 300
    }
}
