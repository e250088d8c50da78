import Foundation

/// One attempt of one AWS call, for `-v`: what was called, how it ended, how long it took. Holds no
/// credentials, signatures, headers or bodies — only what is safe to print.
public struct AWSCallEvent: Sendable, Equatable {
    public let service: String
    public let operation: String
    /// 1 for the first try.
    public let attempt: Int
    /// The HTTP status, nil when no answer came (transport error).
    public let httpStatus: Int?
    /// The AWS error code of a failed attempt ("Throttling", "TransportError"…), nil on success.
    public let errorCode: String?
    public let requestId: String?
    public let duration: TimeInterval
    /// Whether another attempt follows.
    public let willRetry: Bool
}

/// The one logging seam of the AWS layer: a closure the command line wires to stderr under `-v`.
public struct AWSCallObserver: Sendable {
    let observe: @Sendable (AWSCallEvent) -> Void

    public init(_ observe: @escaping @Sendable (AWSCallEvent) -> Void) {
        self.observe = observe
    }

    public static let none = AWSCallObserver { _ in }
}
