import COpenSSL

/// The one error type of EICCrypto. Messages never contain key material.
public struct CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for callers that react differently (e.g. ask for a passphrase again).
    public enum Kind: Sendable, Equatable {
        /// OpenSSL or a format parser failed; `reason` says how.
        case failed
        /// The key is encrypted and no passphrase was supplied.
        case passphraseRequired
        /// The supplied passphrase does not decrypt the key.
        case wrongPassphrase
        /// The data is not a private key this code understands.
        case malformedKey
    }

    public let kind: Kind
    /// What was being done, e.g. "HMAC-SHA256" or "PEM key loading".
    public let operation: String
    /// OpenSSL's own reason text, or the parser's. Never contains key material or a passphrase.
    public let reason: String

    public init(_ kind: Kind = .failed, operation: String, reason: String) {
        self.kind = kind
        self.operation = operation
        self.reason = reason
    }

    /// Builds an error from OpenSSL's thread-local error queue, draining it.
    static func fromOpenSSL(_ operation: String) -> CryptoError {
        CryptoError(operation: operation, reason: openSSLReason() ?? "unknown OpenSSL error")
    }

    /// The first reason in OpenSSL's thread-local error queue (nil when it is empty), draining the queue
    /// so that a later failure does not report a stale reason.
    public static func openSSLReason() -> String? {
        var code = ERR_get_error()
        guard code != 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        repeat { code = ERR_get_error() } while code != 0
        return reason
    }

    public var description: String { "\(operation) failed: \(reason)" }
}
