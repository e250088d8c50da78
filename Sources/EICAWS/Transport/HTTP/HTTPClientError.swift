import Foundation

/// Why an HTTP exchange failed, in words the AWS error message can carry.
enum HTTPClientError: Error, CustomStringConvertible {
    case badURL(String)
    case connect(String)
    case tls(String)
    case timeout(TimeInterval)
    /// The server closed the connection; `beforeAnswer` when not one byte of an answer had arrived (so a
    /// request on a reused keep-alive connection can be sent again on a new one).
    case closed(beforeAnswer: Bool)
    case malformed(String)
    case tooLarge(Int)
    case proxy(String)

    var description: String {
        switch self {
        case .badURL(let why): return "not a usable URL (\(why))"
        case .connect(let why): return "cannot connect: \(why)"
        case .tls(let why): return "TLS failed: \(why)"
        case .timeout(let seconds): return "no complete answer within \(Int(seconds)) s"
        case .closed: return "the connection was closed before the answer was complete"
        case .malformed(let why): return "the answer is not valid HTTP (\(why))"
        case .tooLarge(let limit): return "the answer is larger than \(limit) bytes"
        case .proxy(let why): return "proxy: \(why)"
        }
    }
}
