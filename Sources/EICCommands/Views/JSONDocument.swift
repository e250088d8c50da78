import Foundation

/// The one way `--json` documents are written: pretty, keys sorted (stable diffs), slashes unescaped,
/// and every key in snake_case (`format_version`, `credential_source`, `ssh_listening`) whatever the
/// Swift property is called — one key style for every document, described in schema/.
enum JSONDocument {
    static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .custom { path in
            SnakeKey(snakeCase(path.last?.stringValue ?? ""))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// `credentialSource` → `credential_source`, `osID` → `os_id`, `memoryKiB` → `memory_kib`: a word starts
    /// at an upper-case letter after a lower-case letter or digit; "KiB" is one word.
    static func snakeCase(_ key: String) -> String {
        var result = ""
        var previous: Character?
        for character in key.replacingOccurrences(of: "KiB", with: "Kib") {
            if character.isUppercase, let previous, previous.isLowercase || previous.isNumber {
                result.append("_")
            }
            result.append(contentsOf: character.lowercased())
            previous = character
        }
        return result
    }

    private struct SnakeKey: CodingKey {
        let stringValue: String
        let intValue: Int? = nil
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
