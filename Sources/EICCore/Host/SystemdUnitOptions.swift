/// Reads the sshd `-o` options that ssh(d).service's effective `ExecStart=` passes. Pure.
///
/// systemd applies the unit file first, then drop-ins in lexical order of their file names (a drop-in
/// in /etc hides one of the same name in /usr/lib or /lib); an empty `ExecStart=` clears earlier ones.
/// sshd takes command-line `-o` options before its files, and the first value obtained wins, so these
/// options beat sshd_config.
enum SystemdUnitOptions {
    /// One `-o Keyword=value` found in a unit file.
    struct Option: Equatable {
        var keyword: String
        var value: String
        var file: String
        var line: Int
    }

    /// The `-o` options of the ExecStart= that systemd would run.
    static func effectiveOptions(_ units: [ProbeReport.File]) -> [Option] {
        var execStarts: [(file: String, line: Int, value: String)] = []
        for unit in orderedUnits(units) {
            for (line, value) in execStartLines(unit.body) {
                if value.trimmingWhitespace().isEmpty { execStarts.removeAll() } else {
                    execStarts.append((unit.path, line, value))
                }
            }
        }
        guard let last = execStarts.last else { return [] }
        return options(in: last.value, file: last.file, line: last.line)
    }

    /// Every `-o` option in every ExecStart= of every unit file, overridden or not.
    static func allOptions(_ units: [ProbeReport.File]) -> [Option] {
        units.flatMap { unit in
            execStartLines(unit.body).flatMap { options(in: $0.value, file: unit.path, line: $0.line) }
        }
    }

    /// The main unit file (highest precedence) followed by the drop-ins systemd would apply, in order.
    static func orderedUnits(_ units: [ProbeReport.File]) -> [ProbeReport.File] {
        let mains = units.filter { !$0.path.contains(".service.d/") }
        var dropIns: [String: ProbeReport.File] = [:]
        for unit in units where unit.path.contains(".service.d/") {
            let name = String(unit.path.split(separator: "/").last ?? "")
            // The probe lists /etc before /run, /usr/lib and /lib, so the first of a name wins.
            if dropIns[name] == nil { dropIns[name] = unit }
        }
        let sorted = dropIns.keys.sorted().compactMap { dropIns[$0] }
        return Array(mains.prefix(1)) + sorted
    }

    /// (1-based line, value) of each `ExecStart=` in a unit body, joining backslash continuations.
    static func execStartLines(_ body: String) -> [(line: Int, value: String)] {
        var result: [(Int, String)] = []
        var pending: (line: Int, text: String)?
        for (index, raw) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var text = String(raw)
            if pending == nil {
                let trimmed = text.trimmingWhitespace()
                guard trimmed.hasPrefix("ExecStart"), let eq = trimmed.firstIndex(of: "="),
                      String(trimmed[..<eq]).trimmingWhitespace() == "ExecStart" else { continue }
                text = String(trimmed[trimmed.index(after: eq)...])
                pending = (index + 1, "")
            }
            if text.hasSuffix("\\") {
                pending?.text += String(text.dropLast()) + " "
                continue
            }
            if let done = pending { result.append((done.line, done.text + text)) }
            pending = nil
        }
        return result
    }

    /// The `-o` options in one ExecStart= command line.
    static func options(in commandLine: String, file: String, line: Int) -> [Option] {
        let words = tokenize(commandLine)
        var result: [Option] = []
        var index = 1  // words[0] is the program
        while index < words.count {
            let word = words[index]
            var option: String?
            if word == "-o", index + 1 < words.count {
                option = words[index + 1]
                index += 1
            } else if word.hasPrefix("-o"), word.count > 2 {
                option = String(word.dropFirst(2))
            }
            index += 1
            guard let option else { continue }
            // sshd accepts "Keyword=value" and "Keyword value".
            let separator = option.firstIndex { $0 == "=" || $0 == " " || $0 == "\t" }
            guard let separator else { continue }
            let keyword = String(option[..<separator])
            let value = String(option[option.index(after: separator)...]).trimmingWhitespace()
            result.append(Option(keyword: keyword, value: value, file: file, line: line))
        }
        return result
    }

    /// Splits a systemd command line into words: double and single quotes group, backslash escapes,
    /// `%%` is a literal `%`.
    static func tokenize(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        var percent = false
        for character in text {
            if percent {
                percent = false
                if character == "%" { current.append("%"); continue }
                current.append("%")
            }
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true; inWord = true
            case "%": percent = true; inWord = true
            case "\"", "'":
                if quote == nil { quote = character; inWord = true } else if quote == character { quote = nil } else {
                    current.append(character)
                }
            case " ", "\t":
                if quote != nil { current.append(character) } else if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            default:
                current.append(character)
                inWord = true
            }
        }
        if percent { current.append("%") }
        if inWord { words.append(current) }
        return words
    }
}
