/// Fills the IAM policy templates (templates/iam/*.json) and compares documents the way IAM means them.
///
/// Template language, kept deliberately small: a JSON string that is exactly `${name}` is replaced by
/// the bound JSON value (string, array or object); `${name}` inside a longer string takes a string
/// binding's text; an object member whose key is exactly `${name}` is
/// replaced by the members of the bound object; a statement whose `Sid` is listed in `dropStatements`
/// is removed. Nothing is concatenated as text, so no value can change the document's structure.
public enum PolicyDocument {
    public enum FillError: Error, Sendable, Equatable, CustomStringConvertible {
        case templateNotJSON(String)
        case unbound(String)
        public var description: String {
            switch self {
            case .templateNotJSON(let reason): return "the policy template is not valid JSON (\(reason))"
            case .unbound(let name): return "the policy template uses ${\(name)}, which the planner does not provide"
            }
        }
    }

    /// The compact document for `template` with `bindings`.
    public static func fill(_ template: String, bindings: [String: JSONValue], dropStatements: Set<String> = []) throws(FillError) -> String {
        let root: JSONValue
        do {
            root = try JSONParser.parse(template)
        } catch {
            throw .templateNotJSON(error.description)
        }
        return try substitute(root, bindings, dropStatements).serialized
    }

    private static func placeholder(_ text: String) -> String? {
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return nil }
        return String(text.dropFirst(2).dropLast())
    }

    private static func substitute(_ value: JSONValue, _ bindings: [String: JSONValue], _ drop: Set<String>) throws(FillError) -> JSONValue {
        switch value {
        case .string(let text):
            if let name = placeholder(text) {
                guard let bound = bindings[name] else { throw .unbound(name) }
                return bound
            }
            return .string(try inline(text, bindings))
        case .array(let items):
            var out: [JSONValue] = []
            for item in items {
                if case .object(let members) = item, let sid = members.first(where: { $0.key == "Sid" })?.value,
                   case .string(let name) = sid, drop.contains(name) { continue }
                out.append(try substitute(item, bindings, drop))
            }
            return .array(out)
        case .object(let members):
            var out: [(key: String, value: JSONValue)] = []
            for member in members {
                if let name = placeholder(member.key) {
                    guard case .object(let spliced)? = bindings[name] else { throw .unbound(name) }
                    out += spliced
                } else {
                    out.append((member.key, try substitute(member.value, bindings, drop)))
                }
            }
            return .object(out)
        default:
            return value
        }
    }

    /// `${name}` inside a longer string takes a string binding's text (still one JSON string: the
    /// serializer escapes it, so it cannot break out).
    private static func inline(_ text: String, _ bindings: [String: JSONValue]) throws(FillError) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            let name = String(rest[start.upperBound..<end])
            guard case .string(let value)? = bindings[name] else { throw .unbound(name) }
            out += rest[..<start.lowerBound] + value
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    /// The document in a canonical form: keys sorted, one-element lists and scalars alike, and the
    /// order of actions, resources and condition values ignored — as IAM evaluates them.
    public static func canonical(_ text: String) -> String? {
        guard let root = try? JSONParser.parse(text) else { return nil }
        return normalize(root, listKey: false).serialized
    }

    /// True when the two documents mean the same policy.
    public static func equivalent(_ a: String, _ b: String) -> Bool {
        guard let left = canonical(a), let right = canonical(b) else { return false }
        return left == right
    }

    static let listKeys: Set<String> = ["Action", "NotAction", "Resource", "NotResource", "Statement"]

    private static func normalize(_ value: JSONValue, listKey: Bool, underCondition: Int = 0) -> JSONValue {
        switch value {
        case .object(let members):
            let sorted = members.sorted { $0.key < $1.key }.map { member -> (key: String, value: JSONValue) in
                let depth = member.key == "Condition" ? 1 : (underCondition > 0 ? underCondition + 1 : 0)
                let isList = listKeys.contains(member.key) || underCondition == 2
                return (member.key, normalize(member.value, listKey: isList, underCondition: depth))
            }
            // IAM reads a single statement object like a one-element Statement list.
            return listKey ? .array([.object(sorted)]) : .object(sorted)
        case .array(let items):
            let normalized = items.map { normalize($0, listKey: false, underCondition: 0) }
            guard listKey else { return .array(normalized) }
            var seen = Set<String>()
            let unique = normalized.filter { seen.insert($0.serialized).inserted }
            return .array(unique.sorted { $0.serialized < $1.serialized })
        default:
            return listKey ? .array([value]) : value
        }
    }
}

/// The template texts the planner fills (loaded from templates/iam by the command layer).
public struct PolicyTemplates: Sendable, Equatable {
    public var byInstanceArn: String
    public var byTag: String

    public init(byInstanceArn: String, byTag: String) {
        self.byInstanceArn = byInstanceArn
        self.byTag = byTag
    }
}
