/// The one error type of plan reading: syntax, or every validation problem at once, each with its JSON
/// path and the fix.
public enum PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not valid JSON.
    case syntax(file: String, JSONSyntaxError)
    /// The file is JSON but not a valid plan; every problem found, in document order.
    case invalid(file: String, issues: [PlanIssue])
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// A saved plan that apply will not carry out, and why; nothing was changed.
    case savedPlanRefused(file: String, SavedPlanRefusal)

    public var description: String {
        switch self {
        case .syntax(let file, let error):
            return "\(file): not valid JSON at \(error) (plans are strict JSON: no comments, no trailing commas)"
        case .invalid(let file, let issues):
            let noun = issues.count == 1 ? "problem" : "problems"
            return "\(file): \(issues.count) \(noun):\n" + issues.map { "  \($0)" }.joined(separator: "\n")
        case .unreadable(let file, let reason):
            return "cannot read \(file): \(reason)"
        case .savedPlanRefused(let file, let refusal):
            return "\(file) was not applied: \(refusal.reason).\nNothing was changed. Run `eicsetup plan --out` again and review it."
        }
    }
}

/// One problem in a plan: where (a JSON path such as `instances.ssh.hostKeys`) and what to do.
public struct PlanIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "(top level)" : path): \(message)" }
}
