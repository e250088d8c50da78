import EICCore
import Foundation

/// `sandbox/personalities.tsv` and the images its rows name: what `--personalities` and `--mix` choose
/// from. Adding a personality is adding a row (and, for a new distribution release, an image directory).
public struct PersonalityTable: Sendable {
    /// Every row, in table order (which is the `default` mix).
    public let personalities: [Personality]

    public static let columns = ["name", "image", "package", "sshd", "host_key", "sudo", "foreign_akc", "agent", "mixes"]

    /// The table of the repository in `layout`.
    public static func load(_ layout: SandboxLayout) throws(SandboxError) -> PersonalityTable {
        try load(repository: layout.repository)
    }

    /// The table of eicsetup's repository at `repository` (sandbox/personalities.tsv, sandbox/instance/images/).
    public static func load(repository: String) throws(SandboxError) -> PersonalityTable {
        try load(tablePath: repository + "/sandbox/personalities.tsv", imagesDirectory: repository + "/sandbox/instance/images")
    }

    public static func load(tablePath: String, imagesDirectory: String) throws(SandboxError) -> PersonalityTable {
        guard let text = try? String(contentsOfFile: tablePath, encoding: .utf8) else {
            throw .table("cannot read \(tablePath)")
        }
        var images: [String: SandboxImage] = [:]
        return try parse(text, source: tablePath) { (name: String) throws(SandboxError) -> SandboxImage in
            if let known = images[name] { return known }
            let image = try loadImage(name, directory: imagesDirectory + "/" + name)
            images[name] = image
            return image
        }
    }

    /// Parses the table's text; `image` resolves an image name (and checks its directory).
    static func parse(_ text: String, source: String,
                      image: (String) throws(SandboxError) -> SandboxImage) throws(SandboxError) -> PersonalityTable {
        var rows: [Personality] = []
        // \.isNewline: a CRLF line end is one Character, which a split on "\n" would not see.
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let place = "\(source):\(offset + 1)"
            guard fields.count == columns.count else {
                throw .table("\(place): \(fields.count) columns, want \(columns.count) (\(columns.joined(separator: " ")))")
            }
            let row = try personality(fields, place: place, image: image)
            guard !rows.contains(where: { $0.name == row.name }) else { throw .table("\(place): '\(row.name)' appears twice") }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw .table("\(source) has no rows") }
        return PersonalityTable(personalities: rows)
    }

    private static func personality(_ fields: [String], place: String,
                                     image: (String) throws(SandboxError) -> SandboxImage) throws(SandboxError) -> Personality {
        func choice<T: RawRepresentable & CaseIterable>(_ column: Int, _: T.Type) throws(SandboxError) -> T where T.RawValue == String {
            if let value = T(rawValue: fields[column]) { return value }
            let known = T.allCases.map(\.rawValue).joined(separator: " | ")
            throw .table("\(place): \(columns[column]) is '\(fields[column])', want \(known)")
        }
        let name = fields[0]
        guard isToken(name) else { throw .table("\(place): name '\(name)' may hold only letters, digits, '.', '-' and '_'") }
        let package = fields[2] == "-" ? nil : fields[2]
        if let package, !isToken(package, extra: "~:+") {
            throw .table("\(place): package '\(package)' is not a version (letters, digits, . - _ ~ : +)")
        }
        let foreign: Personality.ForeignKeysCommand = fields[6] == "-" ? .none : try choice(6, Personality.ForeignKeysCommand.self)
        let mixes = fields[8] == "-" ? [] : fields[8].split(separator: ",").map(String.init)
        if let bad = mixes.first(where: { !isToken($0) || $0 == "default" }) {
            throw .table("\(place): mix '\(bad)' is not a mix name (every row is in 'default' already)")
        }
        return Personality(name: name, image: try image(fields[1]), package: package, sshd: try choice(3, Personality.SSHD.self),
                           hostKey: try choice(4, Personality.HostKey.self), sudo: try choice(5, Personality.Sudo.self),
                           foreignKeysCommand: foreign, agent: try choice(7, Personality.Agent.self), mixes: mixes)
    }

    /// Reads `directory/image.env` and checks the files every instance copies are there.
    static func loadImage(_ name: String, directory: String) throws(SandboxError) -> SandboxImage {
        guard isToken(name) else { throw .table("image name '\(name)' may hold only letters, digits, '.', '-' and '_'") }
        guard let text = try? String(contentsOfFile: directory + "/image.env", encoding: .utf8) else {
            throw .table("image \(name): cannot read \(directory)/image.env")
        }
        let values = HostFactsAnalyzer.osRelease(text)
        for file in ["os-release", "sshd_config"] where !FileManager.default.fileExists(atPath: directory + "/" + file) {
            throw .table("image \(name): \(directory)/\(file) is missing")
        }
        if let missing = SandboxImage.requiredKeys.first(where: { (values[$0] ?? "").isEmpty }) {
            throw .table("image \(name): image.env does not set \(missing)")
        }
        for (key, value) in values {
            guard isToken(key), key.uppercased() == key else { throw .table("image \(name): bad key '\(key)' in image.env") }
            // image.env is documented as os-release style; a quote or expansion character would mean
            // something else to a shell that sourced it.
            guard !value.contains(where: { "\"'`$\\\n".contains($0) }) else {
                throw .table("image \(name): the value of \(key) holds a quote, $, ` or \\")
            }
        }
        let family = values["FAMILY"] ?? ""
        guard SandboxImage.families.contains(family) else {
            throw .table("image \(name): FAMILY is '\(family)', want \(SandboxImage.families.sorted().joined(separator: " | "))")
        }
        return SandboxImage(name: name, values: values)
    }

    private static func isToken(_ text: String, extra: String = "") -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0) || extra.contains($0)) }
    }

    // MARK: - Choosing personalities

    /// Named mixes for `--mix`: `default` is every row once, in table order; the others are the rows
    /// that name them, in table order.
    public var mixes: [String: [Personality]] {
        var result = ["default": personalities]
        for row in personalities {
            for mix in row.mixes { result[mix, default: []].append(row) }
        }
        return result
    }

    public var names: [String] { personalities.map(\.name) }

    /// The row called `name`.
    public func personality(named name: String) throws(SandboxError) -> Personality {
        guard let row = personalities.first(where: { $0.name == name }) else {
            throw .badOption("unknown personality '\(name)'; known: \(names.joined(separator: ", "))")
        }
        return row
    }

    /// The personalities for `count` instances: a named mix repeated in order, or explicit counts
    /// (`al2-old=3,ubuntu-20.04=2`). Returns their names.
    public func plan(count: Int?, mix: String?, counts: String?) throws(SandboxError) -> [String] {
        let limit = SandboxOptions.instanceRange.upperBound
        if let counts {
            guard mix == nil else { throw .badOption("use either --mix or --personalities, not both") }
            var result: [String] = []
            for item in counts.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, names.contains(parts[0]), let number = Int(parts[1]), (0...limit).contains(number) else {
                    throw .badOption("--personalities wants NAME=COUNT pairs, e.g. al2-old=3,ubuntu-20.04=2; "
                                     + "names: \(names.joined(separator: ", "))")
                }
                result += Array(repeating: parts[0], count: number)
                guard result.count <= limit else { throw .badOption("--personalities asks for more than \(limit) instances") }
            }
            if let count, count != result.count {
                throw .badOption("--instances \(count) disagrees with --personalities (\(result.count) in all)")
            }
            guard !result.isEmpty else { throw .badOption("--personalities names no instance") }
            return result
        }
        let name = mix ?? "default"
        guard let cycle = mixes[name] else {
            throw .badOption("unknown mix '\(name)'; known: \(mixes.keys.sorted().joined(separator: ", "))")
        }
        let total = count ?? cycle.count
        guard SandboxOptions.instanceRange.contains(total) else {
            throw .badOption("--instances must be between 1 and \(limit)")
        }
        return (0..<total).map { cycle[$0 % cycle.count].name }
    }
}
