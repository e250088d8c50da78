import Foundation

/// The URI encoding and normalisation rules of SigV4 ("Create a canonical request").
enum SigV4Encoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Percent-encodes every byte except the RFC 3986 unreserved set; `/` is kept when `keepSlash`.
    static func encode(_ string: String, keepSlash: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `application/x-www-form-urlencoded` as the AWS SDKs write it (space → `+`). Servers that re-encode the
    /// parsed form to check the payload hash (moto does) need exactly this form.
    static func formEncode(_ string: String) -> String {
        encode(string).replacingOccurrences(of: "%20", with: "+")
    }

    /// Decodes `%XX` sequences (and nothing else); invalid sequences are kept literally.
    static func decode(_ string: String) -> String {
        let bytes = Array(string.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Removes `.`/`..` segments and empty segments, keeping a trailing slash (RFC 3986 §5.2.4 as AWS applies it).
    static func normalizePath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        if segments.isEmpty { return "/" }
        let trailing = path.hasSuffix("/") ? "/" : ""
        return "/" + segments.joined(separator: "/") + trailing
    }

    /// The canonical URI: optionally normalised, then encoded segment by segment.
    static func encodePath(_ path: String, normalize: Bool = true) -> String {
        let base = path.isEmpty ? "/" : path
        return encode(normalize ? normalizePath(base) : base, keepSlash: true)
    }

    /// Parameters encoded, sorted by encoded name then encoded value, joined with `&`.
    static func canonicalQueryString(_ items: [QueryItem]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (encode($0.name), encode($0.value)) }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
