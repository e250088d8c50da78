import COpenSSL

/// The one error type of EICCrypto. Messages never contain key material.
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    /// What was being done when OpenSSL failed, e.g. "HMAC-SHA256".
    public let operation: String
    /// OpenSSL's own reason text, if it left one on its error queue.
    public let reason: String

    public init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }

    /// Builds an error from OpenSSL's thread-local error queue, draining it.
    static func fromOpenSSL(_ operation: String) -> CryptoError {
        var reason = "unknown OpenSSL error"
        var code = ERR_get_error()
        if code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // Drain the rest so a later failure does not report a stale reason.
            repeat { code = ERR_get_error() } while code != 0
        }
        return CryptoError(operation: operation, reason: reason)
    }

    public var description: String { "\(operation) failed: \(reason)" }
}
