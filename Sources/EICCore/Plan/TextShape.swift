/// The fixed ASCII shapes of names and ids a plan may contain, checked byte by byte. Swift `Regex`
/// literals are compiled at run time by `_RegexParser`/`_StringProcessing`, ~1.7 MiB of resident memory in
/// every plan and apply (issue 20), for a dozen shapes this simple.
public enum TextShape {
    /// True when every byte of `text` is ASCII and `allowed`, and its length is in `count`.
    static func consists<S: StringProtocol>(_ text: S, of allowed: (UInt8) -> Bool, count: ClosedRange<Int>) -> Bool {
        count.contains(text.utf8.count) && text.utf8.allSatisfy(allowed)
    }

    static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    static func isLowerHex(_ byte: UInt8) -> Bool { isDigit(byte) || (0x61...0x66).contains(byte) }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
    static func isOneOf(_ characters: String) -> (UInt8) -> Bool {
        let set = Set(characters.utf8)
        return { set.contains($0) }
    }

    /// An OS user name SendSSHPublicKey accepts: `[A-Za-z_][A-Za-z0-9@._-]{0,30}[A-Za-z0-9$_-]?`.
    public static func isOSUserName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 32, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        let middle = { (byte: UInt8) in isAlphanumeric(byte) || isOneOf("@._-")(byte) }
        guard bytes.count > 1, let last = bytes.last else { return true }
        guard bytes[1..<(bytes.count - 1)].allSatisfy(middle) else { return false }
        // The last byte ends the middle run (at most 30 bytes in all) or is the optional final `[A-Za-z0-9$_-]`.
        let asFinal = isAlphanumeric(last) || isOneOf("$_-")(last)
        return asFinal || (middle(last) && bytes.count <= 31)
    }

    /// An AWS region name: `[a-z]{2}(-[a-z]+)+-[0-9]{1,2}`, e.g. us-east-1, us-gov-west-1.
    public static func isRegionName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let country = parts.first, let number = parts.last else { return false }
        let lower = { (part: Substring) in consists(part, of: { (0x61...0x7A).contains($0) }, count: 1...Int.max) }
        return country.utf8.count == 2 && lower(country) && parts.dropFirst().dropLast().allSatisfy(lower)
            && consists(number, of: isDigit, count: 1...2)
    }

    /// `prefix` followed by 8 or 17 lowercase hex digits (EC2 ids: `i-…`, `sg-…`).
    public static func isResourceId(_ text: String, prefix: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let rest = text.utf8.dropFirst(prefix.utf8.count)
        return (rest.count == 8 || rest.count == 17) && rest.allSatisfy(isLowerHex)
    }

    /// A `${NAME}` variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isVariableName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        return name.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    /// A whole number with `1...maxDigits` digits and no leading zero (or "0" itself when `zero`).
    static func isCount<S: StringProtocol>(_ text: S, maxDigits: Int, zero: Bool) -> Bool {
        guard consists(text, of: isDigit, count: 1...maxDigits) else { return false }
        return text.utf8.first != UInt8(ascii: "0") || (zero && text.utf8.count == 1)
    }
}
