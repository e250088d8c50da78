/// POSIX shell quoting.
public enum ShellQuote {
    /// Quotes `value` as one POSIX shell word: wrapped in single quotes, each `'` written as `'\''`.
    /// Inside single quotes nothing is special ($, `, \, newlines, globs), so the word arrives verbatim;
    /// an empty value becomes `''` so it still counts as an argument.
    public static func quote(_ value: String) -> String {
        "'" + value.replacingAll("'", with: "'\\''") + "'"
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed in core).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
