/// Reads AuthorizedKeysCommand settings out of sshd_config and its Included files the way sshd does. Pure.
enum SSHDConfigFiles {
    static let commandKeyword = "authorizedkeyscommand"
    static let userKeyword = "authorizedkeyscommanduser"

    /// A keyword/value line of an sshd config file.
    struct Line {
        var number: Int
        var keyword: String  // lower-cased
        var spelledKeyword: String
        var value: String
    }

    /// The keyword lines of one file (comments and blank lines dropped).
    static func lines(_ body: String) -> [Line] {
        var result: [Line] = []
        for (index, raw) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(raw).trimmingWhitespace()
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            let end = text.firstIndex { $0 == " " || $0 == "\t" || $0 == "=" } ?? text.endIndex
            let keyword = String(text[..<end])
            var rest = text[end...].drop { $0 == " " || $0 == "\t" }
            if rest.first == "=" { rest = rest.dropFirst() }
            let value = String(rest).trimmingWhitespace()
            result.append(Line(number: index + 1, keyword: keyword.lowercased(), spelledKeyword: keyword, value: value))
        }
        return result
    }

    /// Every AuthorizedKeysCommand(User) line in every file read, with its Match-block state.
    static func settings(_ configs: [ProbeReport.File]) -> [CommandSetting] {
        configs.flatMap { file -> [CommandSetting] in
            var inMatch = false
            var found: [CommandSetting] = []
            for line in lines(file.body) {
                if line.keyword == "match" { inMatch = true }
                guard line.keyword == commandKeyword || line.keyword == userKeyword else { continue }
                let keyword = line.keyword == commandKeyword ? "AuthorizedKeysCommand" : "AuthorizedKeysCommandUser"
                found.append(CommandSetting(file: file.path, line: line.number, keyword: keyword,
                                            value: line.value, origin: .sshdConfig, inMatchBlock: inMatch))
            }
            return found
        }
    }

    /// The values sshd would use from the files alone: first value wins, Includes read in place, Match
    /// blocks ignored (they apply per connection). Keyed by lower-cased keyword.
    static func effectiveValues(_ configs: [ProbeReport.File]) -> [String: String] {
        guard let main = configs.first else { return [:] }
        var values: [String: String] = [:]
        var visited: Set<String> = []

        func read(_ file: ProbeReport.File, depth: Int) {
            guard depth < 16, visited.insert(file.path).inserted else { return }
            for line in lines(file.body) {
                if line.keyword == "match" { return }
                if line.keyword == "include" {
                    for pattern in line.value.split(separator: " ").map(String.init) {
                        let absolute = pattern.hasPrefix("/") ? pattern : "/etc/ssh/" + pattern
                        let matches = configs.filter { Glob.matches(absolute, $0.path) }.sorted { $0.path < $1.path }
                        matches.forEach { read($0, depth: depth + 1) }
                    }
                } else if values[line.keyword] == nil {
                    values[line.keyword] = line.value
                }
            }
        }
        read(main, depth: 0)
        return values
    }

    /// The values `sshd -T` printed, keyed by lower-cased keyword.
    static func sshdTValues(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in lines(output) where values[line.keyword] == nil { values[line.keyword] = line.value }
        return values
    }
}

/// Shell-style glob matching of paths (`*` and `?` do not cross `/`; `[...]` classes), as sshd's
/// Include uses. Pure.
enum Glob {
    /// True when `path` matches `pattern`.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        match(Array(pattern), 0, Array(path), 0)
    }

    private static func match(_ p: [Character], _ pi: Int, _ s: [Character], _ si: Int) -> Bool {
        if pi == p.count { return si == s.count }
        switch p[pi] {
        case "*":
            var k = si
            while true {
                if match(p, pi + 1, s, k) { return true }
                if k == s.count || s[k] == "/" { return false }
                k += 1
            }
        case "?":
            return si < s.count && s[si] != "/" && match(p, pi + 1, s, si + 1)
        case "[":
            guard si < s.count, let close = p[(pi + 1)...].firstIndex(of: "]") else {
                return si < s.count && s[si] == "[" && match(p, pi + 1, s, si + 1)
            }
            var set = Array(p[(pi + 1)..<close])
            let negate = set.first == "!" || set.first == "^"
            if negate { set.removeFirst() }
            var hit = false
            var i = 0
            while i < set.count {
                if i + 2 < set.count, set[i + 1] == "-" {
                    if set[i] <= s[si] && s[si] <= set[i + 2] { hit = true }
                    i += 3
                } else {
                    if set[i] == s[si] { hit = true }
                    i += 1
                }
            }
            return hit != negate && match(p, close + 1, s, si + 1)
        default:
            return si < s.count && p[pi] == s[si] && match(p, pi + 1, s, si + 1)
        }
    }
}
