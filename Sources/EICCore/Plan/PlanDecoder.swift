/// Turns plan text into a `PlanFile`: strict JSON, unknown keys refused, `${VAR}` expanded from the
/// environment, every value validated — and every problem reported at once with its JSON path.
///
/// `${NAME}` in any string is replaced by the environment variable NAME; an unset or empty variable is
/// an error (an empty identity file or endpoint must never pass silently). `$${` writes a literal `${`.
public struct PlanDecoder {
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Decodes and validates `text`; `file` names the plan in messages.
    public func decode(_ text: String, file: String) throws(PlanError) -> PlanFile {
        try decodeRecordingVariables(text, file: file).plan
    }

    /// Decodes like `decode`, and also returns each `${NAME}` the plan used with the value it got
    /// (a saved plan records them, so that apply can name a variable that changed since).
    public func decodeRecordingVariables(_ text: String, file: String) throws(PlanError) -> (plan: PlanFile, variables: [String: String]) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(text)
        } catch {
            throw .syntax(file: file, error)
        }
        var reader = Reader(environment: environment)
        let plan = reader.plan(root)
        guard reader.issues.isEmpty, let plan else {
            throw .invalid(file: file, issues: reader.issues.isEmpty ? [PlanIssue(path: "", message: "not a plan")] : reader.issues)
        }
        return (plan, reader.usedVariables)
    }
}

/// Walks the JSON tree with a path, collecting issues instead of stopping at the first.
struct Reader {
    let environment: [String: String]
    var issues: [PlanIssue] = []
    /// `${NAME}` → the value it was replaced by.
    var usedVariables: [String: String] = [:]

    init(environment: [String: String]) {
        self.environment = environment
    }

    mutating func issue(_ path: String, _ message: String) {
        issues.append(PlanIssue(path: path, message: message))
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The members of an object, refusing keys outside `allowed` (with a did-you-mean hint).
    mutating func object(_ value: JSONValue?, _ path: String, allowed: [String]) -> [String: JSONValue]? {
        guard let value else { return nil }
        guard case .object(let members) = value else {
            issue(path, "must be an object, not \(value.typeName)")
            return nil
        }
        var result: [String: JSONValue] = [:]
        for member in members {
            if allowed.contains(member.key) {
                result[member.key] = member.value
            } else {
                let hint = allowed.first { $0.lowercased() == member.key.lowercased() }.map { "; did you mean \"\($0)\"?" }
                    ?? "; allowed here: \(allowed.joined(separator: ", "))"
                issue(Reader.join(path, member.key), "unknown key" + hint)
            }
        }
        return result
    }

    mutating func string(_ value: JSONValue?, _ path: String) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else {
            issue(path, "must be a string, not \(value.typeName)")
            return nil
        }
        return expand(text, path)
    }

    mutating func integer(_ value: JSONValue?, _ path: String) -> Int? {
        guard let value else { return nil }
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 1e9 else {
            issue(path, "must be a whole number, not \(value.typeName == "a number" ? "a fraction or a huge number" : value.typeName)")
            return nil
        }
        return Int(number)
    }

    mutating func bool(_ value: JSONValue?, _ path: String) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else {
            issue(path, "must be true or false, not \(value.typeName)")
            return nil
        }
        return flag
    }

    mutating func array(_ value: JSONValue?, _ path: String) -> [(String, JSONValue)]? {
        guard let value else { return nil }
        guard case .array(let items) = value else {
            issue(path, "must be an array, not \(value.typeName)")
            return nil
        }
        return items.enumerated().map { ("\(path)[\($0.offset)]", $0.element) }
    }

    mutating func strings(_ value: JSONValue?, _ path: String, check: (String) -> String?) -> [String]? {
        guard let items = array(value, path) else { return nil }
        var out: [String] = []
        for (itemPath, item) in items {
            guard let text = string(item, itemPath) else { continue }
            if let problem = check(text) { issue(itemPath, problem) } else { out.append(text) }
        }
        return out
    }

    mutating func stringMap(_ value: JSONValue?, _ path: String, key: (String) -> String?, value check: (String) -> String?) -> [String: String]? {
        guard let value else { return nil }
        guard case .object(let members) = value else {
            issue(path, "must be an object of strings, not \(value.typeName)")
            return nil
        }
        var out: [String: String] = [:]
        for member in members {
            let memberPath = Reader.join(path, member.key)
            if let problem = key(member.key) { issue(memberPath, problem); continue }
            guard let text = string(member.value, memberPath) else { continue }
            if let problem = check(text) { issue(memberPath, problem) } else { out[member.key] = text }
        }
        return out
    }

    /// A string that must be one of `choices`.
    mutating func choice<T: RawRepresentable>(_ value: JSONValue?, _ path: String, _ type: T.Type) -> T?
    where T: CaseIterable, T.RawValue == String {
        guard let text = string(value, path) else { return nil }
        if let chosen = T(rawValue: text) { return chosen }
        issue(path, "\"\(text)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }

    /// Checks `value` with `check` and records the problem at `path`.
    mutating func checked<V>(_ value: V?, _ path: String, _ check: (V) -> String?) -> V? {
        guard let value else { return nil }
        if let problem = check(value) {
            issue(path, problem)
            return nil
        }
        return value
    }

    /// `${NAME}` from the environment; `$${` is a literal `${`.
    mutating func expand(_ text: String, _ path: String) -> String? {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        var ok = true
        while let start = rest.firstRange(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                out += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                issue(path, "unterminated ${ (write $${ for a literal ${)")
                return nil
            }
            let name = String(rest[start.upperBound..<end])
            if !TextShape.isVariableName(name) {
                issue(path, "\"${\(name)}\" is not a variable name")
                ok = false
            } else if let value = environment[name], !value.isEmpty {
                out += value
                usedVariables[name] = value
            } else {
                issue(path, "${\(name)} is not set in the environment (set it, or write the value into the plan)")
                ok = false
            }
            rest = rest[rest.index(after: end)...]
        }
        out += rest
        return ok ? out : nil
    }
}
