import Foundation

/// The probe's answer, split into its tagged parts but not yet interpreted.
public struct ProbeReport: Sendable, Equatable {
    /// A file the probe read, with the body it saw.
    public struct File: Sendable, Equatable {
        /// The path as the probe found it.
        public var path: String
        /// The path with symlinks resolved (systemd units), or `path`.
        public var canonicalPath: String
        /// The file's text.
        public var body: String
    }

    /// The text of /etc/os-release.
    public var osRelease: String = ""
    /// Tools found on PATH (apt-get, dpkg-query, yum, dnf, rpm, zypper, sudo).
    public var tools: [String] = []
    /// The package query: tool ("dpkg", "rpm", "none") followed by its answer words.
    public var packageAnswer: [String] = []
    /// How `sshd -T` was run: "root", "sudo" or "none".
    public var sshdTVia: String = "none"
    /// `sshd -T`'s exit status.
    public var sshdTStatus: Int = 127
    /// `sshd -T`'s combined output.
    public var sshdTOutput: String = ""
    /// ssh(d).service unit files and drop-ins, in the probe's search order.
    public var units: [File] = []
    /// sshd_config and the files it Includes, in the order read.
    public var configs: [File] = []
    /// Config files that exist but could not be read.
    public var unreadable: [String] = []
}


/// Splits the probe's `@@EIC`-tagged output into a `ProbeReport`. Pure: no I/O.
public enum ProbeOutputParser {
    /// Parses the probe's standard output.
    public static func parse(_ output: String) throws(HostError) -> ProbeReport {
        var report = ProbeReport()
        var sawBegin = false, sawEnd = false
        var current: (tag: [String], body: [Substring])?

        func finish() throws(HostError) {
            guard let (tag, lines) = current else { return }
            current = nil
            let text = try decode(lines, tag: tag.first ?? "?")
            switch tag.first {
            case "os-release": report.osRelease = text
            case "sshd-t": report.sshdTOutput = text
            case "unit":
                let path = tag.count > 1 ? tag[1] : ""
                report.units.append(.init(path: path, canonicalPath: tag.count > 2 ? tag[2] : path, body: text))
            case "config":
                let path = tag.dropFirst().joined(separator: " ")
                report.configs.append(.init(path: path, canonicalPath: path, body: text))
            default: break
            }
        }

        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("@@EIC ") else {
                current?.body.append(line)
                continue
            }
            try finish()
            let words = line.dropFirst(6).split(separator: " ").map(String.init)
            switch words.first {
            case "begin":
                guard words.count > 1, words[1] == HostProbe.formatVersion else {
                    throw HostError.probeUnreadable(reason: "unknown probe format \(words.dropFirst().joined())")
                }
                sawBegin = true
            case "end": sawEnd = true
            case "tools": report.tools = Array(words.dropFirst())
            case "package": report.packageAnswer = Array(words.dropFirst())
            case "unreadable": report.unreadable.append(words.dropFirst().joined(separator: " "))
            case "sshd-t":
                report.sshdTVia = words.count > 1 ? words[1] : "none"
                report.sshdTStatus = words.count > 2 ? Int(words[2]) ?? 127 : 127
                current = (words, [])
            case "os-release", "unit", "config": current = (words, [])
            default: break  // Tags from a newer probe are ignored, not fatal.
            }
        }
        try finish()
        guard sawBegin else { throw HostError.probeUnreadable(reason: "no begin marker") }
        guard sawEnd else { throw HostError.probeUnreadable(reason: "the output stops early (no end marker)") }
        return report
    }

    private static func decode(_ lines: [Substring], tag: String) throws(HostError) -> String {
        let joined = lines.joined().filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: joined) else {
            throw HostError.probeUnreadable(reason: "the \(tag) part is not base64")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
