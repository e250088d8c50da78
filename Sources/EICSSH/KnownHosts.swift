import EICCrypto
import Foundation

/// What to do with a host key that known_hosts does not list (a changed key is always refused).
public enum HostKeyPolicy: String, Sendable, CaseIterable {
    /// Unknown key: refuse, run nothing (OpenSSH's StrictHostKeyChecking=yes).
    case strict
    /// Unknown key: trust it and append it to known_hosts (OpenSSH's StrictHostKeyChecking=accept-new).
    case acceptNew = "accept-new"
}

/// An OpenSSH known_hosts file: plain and hashed (`|1|salt|hash`) host names, `[host]:port` for other
/// ports, `@revoked` honoured, `@cert-authority` lines skipped (we do not do host certificates).
public struct KnownHosts: Sendable {
    /// One usable line.
    struct Entry: Sendable {
        var line: Int
        var revoked: Bool
        var hostField: String
        var keyType: String
        var keyBlob: [UInt8]
    }

    /// The outcome of looking a host's key up.
    public enum Match: Equatable, Sendable {
        /// Listed with this very key, at this line.
        case known(line: Int)
        /// Listed with a different key of the same type, at this line.
        case changed(line: Int)
        /// This key is marked @revoked, at this line.
        case revoked(line: Int)
        /// Not listed with this key type.
        case unknown
    }

    let entries: [Entry]

    /// Parses known_hosts text; malformed lines are skipped as OpenSSH does.
    public init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Parses known_hosts as OpenSSH does: bytes split at `\n`, a trailing `\r` dropped (CRLF files), each
    /// line on its own — a non-UTF-8 byte in a comment or on a malformed line spoils only that line.
    public init(bytes: [UInt8]) {
        var entries: [Entry] = []
        for (index, rawBytes) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var lineBytes = rawBytes
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            let raw = String(decoding: lineBytes, as: UTF8.self)
            var fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            var revoked = false
            if first.hasPrefix("@") {
                guard first == "@revoked" else { continue }
                revoked = true
                fields.removeFirst()
            }
            guard fields.count >= 3, let blob = Data(base64Encoded: fields[2]) else { continue }
            entries.append(Entry(line: index + 1, revoked: revoked, hostField: fields[0], keyType: fields[1],
                                 keyBlob: Array(blob)))
        }
        self.entries = entries
        var byName: [String: [Int]] = [:]
        var other: [Int] = []
        for (position, entry) in entries.enumerated() where !entry.revoked {
            let field = entry.hostField
            if field.hasPrefix("|1|") || field.contains(where: { $0 == "*" || $0 == "?" || $0 == "!" }) {
                other.append(position)
            } else {
                for name in Set(field.lowercased().split(separator: ",").map(String.init)) { byName[name, default: []].append(position) }
            }
        }
        self.byName = byName
        self.patternEntries = other
        self.revokedEntries = entries.indices.filter { entries[$0].revoked }
    }

    /// Positions (in `entries`) of the non-revoked lines whose host field is a plain comma list of names,
    /// by lowercased name: a lookup needs no scan of the whole file (a fleet's known_hosts has a line per host).
    private let byName: [String: [Int]]
    /// Positions of the non-revoked lines that need `hostMatches` (hashed names, wildcards, negations).
    private let patternEntries: [Int]
    private let revokedEntries: [Int]

    /// The non-revoked entries naming `hostToken`, in file order — what a scan with `hostMatches` finds.
    private func entries(for hostToken: String) -> [Entry] {
        let named = byName[hostToken.lowercased()] ?? []
        let patterns = patternEntries.filter { Self.hostMatches(entries[$0].hostField, hostToken) }
        let positions = patterns.isEmpty ? named : (named + patterns).sorted()
        return positions.map { entries[$0] }
    }

    /// How OpenSSH writes a host in known_hosts: the bare name for port 22, else `[name]:port`.
    public static func hostToken(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    /// The line to append for a newly accepted key.
    public static func line(hostToken: String, keyType: String, keyBlob: [UInt8]) -> String {
        "\(hostToken) \(keyType) \(Data(keyBlob).base64EncodedString())"
    }

    /// The key types listed for `hostToken`, in file order (to prefer them in the handshake, as OpenSSH does).
    public func knownKeyTypes(hostToken: String) -> [String] {
        var types: [String] = []
        for entry in entries(for: hostToken) where !types.contains(entry.keyType) {
            types.append(entry.keyType)
        }
        return types
    }

    /// Looks up `keyBlob` of type `keyType` for `hostToken`.
    public func match(hostToken: String, keyType: String, keyBlob: [UInt8]) -> Match {
        if let revoked = revokedEntries.first(where: { entries[$0].keyBlob == keyBlob }) {
            return .revoked(line: entries[revoked].line)
        }
        let candidates = entries(for: hostToken)
        if let exact = candidates.first(where: { $0.keyBlob == keyBlob }) { return .known(line: exact.line) }
        if let other = candidates.first(where: { $0.keyType == keyType }) { return .changed(line: other.line) }
        return .unknown
    }

    /// True when a known_hosts host field names `hostToken`: a hashed `|1|salt|hash`, or a comma list of
    /// patterns with `*`/`?` wildcards and `!` negations (a matching negation rejects the line).
    static func hostMatches(_ field: String, _ hostToken: String) -> Bool {
        if field.hasPrefix("|1|") {
            let parts = field.split(separator: "|", omittingEmptySubsequences: true)
            guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
                  let hash = Data(base64Encoded: String(parts[2])) else { return false }
            return Digest.hmacSHA1(key: Array(salt), data: Array(hostToken.utf8)) == Array(hash)
        }
        var matched = false
        let name = hostToken.lowercased()
        for pattern in field.lowercased().split(separator: ",") {
            if pattern.hasPrefix("!") {
                if wildcard(Array(pattern.dropFirst()), Array(name)) { return false }
            } else if wildcard(Array(pattern), Array(name)) {
                matched = true
            }
        }
        return matched
    }

    private static func wildcard(_ p: [Character], _ s: [Character]) -> Bool {
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == s[si]) {
                pi += 1; si += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = si; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
