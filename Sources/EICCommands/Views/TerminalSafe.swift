/// Text that came from outside — instance tags, host answers, AWS strings, error messages — must not
/// drive the terminal: an ESC or OSC sequence, a carriage return or a newline in a Name tag could move
/// the cursor, retitle the window or forge a line such as "Plan: 0 to add". Every text view passes such
/// values through `terminalSafe` before it adds its own (trusted) colour codes. JSON output needs none of
/// this: its encoder escapes control characters.
extension String {
    /// Control characters (C0 but tab, DEL, C1) and the bidirectional overrides written as visible escapes
    /// (`\e`, `\r`, `\n`, `\x7f`, `\u{202e}`); everything else unchanged.
    var terminalSafe: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            guard Self.needsEscape(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\u{1B}": out += "\\e"
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x100: out += "\\x" + Self.hex(scalar.value, width: 2)
            default: out += "\\u{" + Self.hex(scalar.value, width: 4) + "}"
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        // LRE/RLE/PDF/LRO/RLO and LRI/RLI/FSI/PDI reorder what follows them ("Trojan Source").
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
