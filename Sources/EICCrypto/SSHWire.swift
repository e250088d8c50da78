/// Reads values in the SSH wire encoding (RFC 4251 §5): uint32, string, mpint.
public struct SSHWireReader: Sendable {
    private let bytes: [UInt8]
    private var offset = 0

    /// A reader positioned at the start of `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// True when every byte has been consumed.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// Reads a big-endian uint32.
    public mutating func uint32() throws(CryptoError) -> UInt32 {
        let raw = try take(4)
        return raw.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Reads a length-prefixed byte string.
    public mutating func string() throws(CryptoError) -> [UInt8] {
        let length = Int(try uint32())
        return try take(length)
    }

    /// Reads a length-prefixed string as UTF-8 text.
    public mutating func text() throws(CryptoError) -> String {
        String(decoding: try string(), as: UTF8.self)
    }

    /// Reads an mpint and returns its unsigned big-endian magnitude (leading zeros stripped).
    public mutating func mpint() throws(CryptoError) -> [UInt8] {
        Array(try string().drop { $0 == 0 })
    }

    /// Reads exactly `count` raw bytes.
    public mutating func take(_ count: Int) throws(CryptoError) -> [UInt8] {
        // The length comes from untrusted input, so it is checked before slicing.
        guard count >= 0, count <= bytes.count - offset else {
            throw CryptoError(operation: "SSH wire decoding", reason: "truncated or corrupt data")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

/// Builds values in the SSH wire encoding (RFC 4251 §5).
public struct SSHWireWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    /// Appends a big-endian uint32.
    public mutating func uint32(_ value: UInt32) {
        bytes += [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    /// Appends a length-prefixed byte string.
    public mutating func string(_ value: [UInt8]) {
        uint32(UInt32(value.count))
        bytes += value
    }

    /// Appends a length-prefixed UTF-8 string (length in bytes, not characters).
    public mutating func string(_ value: String) { string(Array(value.utf8)) }

    /// Appends an unsigned big-endian magnitude as an mpint: a 0x00 is prepended when the top bit is set,
    /// because mpints are two's complement.
    public mutating func mpint(_ magnitude: [UInt8]) {
        let trimmed = Array(magnitude.drop { $0 == 0 })
        if let first = trimmed.first, first & 0x80 != 0 {
            string([0] + trimmed)
        } else {
            string(trimmed)
        }
    }
}
