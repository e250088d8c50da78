import Foundation

/// The one way `--json` documents are written: pretty, keys sorted (stable diffs), slashes unescaped.
enum JSONDocument {
    static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
