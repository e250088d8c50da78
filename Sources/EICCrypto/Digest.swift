import COpenSSL

/// Hashes and MACs used by SigV4 and key fingerprints, computed by OpenSSL.
public enum Digest {
    /// SHA-256 of `data`.
    public static func sha256<D: Collection>(_ data: D) -> [UInt8] where D.Element == UInt8 {
        var output = [UInt8](repeating: 0, count: 32)
        let input = Array(data)
        input.withUnsafeBufferPointer { buffer in
            output.withUnsafeMutableBufferPointer { out in
                // SHA256 with a valid buffer cannot fail; it returns its output pointer.
                _ = SHA256(buffer.baseAddress, buffer.count, out.baseAddress)
            }
        }
        return output
    }

    /// SHA-256 of the UTF-8 bytes of `string`.
    public static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    /// HMAC-SHA-256 of `data` under `key`.
    public static func hmacSHA256<K: Collection, D: Collection>(key: K, data: D) -> [UInt8]
    where K.Element == UInt8, D.Element == UInt8 {
        hmac(EVP_sha256(), outputSize: 32, key: key, data: data)
    }

    /// HMAC with an OpenSSL digest. HMAC() fails only for an unknown digest or on allocation failure;
    /// neither is recoverable here, and a zeroed MAC then simply fails verification.
    static func hmac<K: Collection, D: Collection>(_ digest: OpaquePointer?, outputSize: Int, key: K, data: D) -> [UInt8]
    where K.Element == UInt8, D.Element == UInt8 {
        let keyBytes = Array(key)
        let dataBytes = Array(data)
        var output = [UInt8](repeating: 0, count: outputSize)
        var length: UInt32 = 0
        keyBytes.withUnsafeBufferPointer { k in
            dataBytes.withUnsafeBufferPointer { d in
                output.withUnsafeMutableBufferPointer { out in
                    _ = HMAC(digest, k.baseAddress, Int32(k.count), d.baseAddress, d.count, out.baseAddress, &length)
                }
            }
        }
        return output
    }

    /// HMAC-SHA-256 of the UTF-8 bytes of `string` under `key`.
    public static func hmacSHA256<K: Collection>(key: K, _ string: String) -> [UInt8] where K.Element == UInt8 {
        hmacSHA256(key: key, data: Array(string.utf8))
    }
}

/// Lower-case hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`.
    public static func encode<D: Collection>(_ bytes: D) -> String where D.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of a hex string, or nil if it is not hex of even length.
    public static func decode(_ string: String) -> [UInt8]? {
        let chars = Array(string.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        let status = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard status == 1 else { throw CryptoError.fromOpenSSL("RAND_bytes") }
        return output
    }
}
