/// The one error type of EICSandbox; each message says what to do next.
public enum SandboxError: Error, CustomStringConvertible, Sendable {
    case needsRoot
    case alreadyUp(stateDirectory: String)
    /// An `up` that never finished left processes running (or is still starting).
    case halfStarted(stateDirectory: String)
    /// SIGINT/SIGTERM arrived during `up`; what had started was stopped again.
    case interrupted
    case notUp(stateDirectory: String)
    case missingTool(String, hint: String)
    case badOption(String)
    case commandFailed(command: String, status: Int32, output: String)
    case notReady(String)
    case state(String)
    /// sandbox/personalities.tsv or an image directory it names is malformed.
    case table(String)

    var isInterruption: Bool {
        if case .interrupted = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .needsRoot:
            return "the sandbox needs root (it starts sshd processes in their own mount namespaces); run it as root"
        case .alreadyUp(let directory):
            return "a sandbox is already up (state in \(directory)); run 'eicsetup sandbox down' first, "
                + "or pick another --state-dir"
        case .halfStarted(let directory):
            return "a sandbox in \(directory) did not finish starting but its processes still run (or another `up` is "
                + "starting it); run `eicsetup sandbox down --state-dir \(directory)`, or pick another --state-dir"
        case .interrupted:
            return "interrupted; everything the sandbox had started was stopped and its state removed"
        case .notUp(let directory):
            return "no sandbox is up (no state in \(directory)); start one with 'eicsetup sandbox up'"
        case .missingTool(let tool, let hint):
            return "\(tool) is missing: \(hint)"
        case .badOption(let text):
            return text
        case .commandFailed(let command, let status, let output):
            let detail = output.split(separator: "\n").suffix(3).joined(separator: " | ")
            return "\(command) failed (exit \(status))" + (detail.isEmpty ? "" : ": \(detail)")
        case .notReady(let text):
            return "the sandbox did not come up: \(text)"
        case .state(let text):
            return "sandbox state: \(text)"
        case .table(let text):
            return "personality table: \(text) (see sandbox/README.md, \"Adding a personality\")"
        }
    }
}
