import ArgumentParser
import EICCore

/// Errors of the command layer, printed by ArgumentParser as "Error: …".
public enum CommandError: Error, CustomStringConvertible {
    /// The user asked for something the command cannot do; the text says what to do instead.
    case usage(String)
    /// A failure that has already been explained on stderr; only the exit status remains.
    case failed(exitCode: Int32)
    /// An EC2 Instance Connect login (key, push, connect) failed; the failure keeps its cause.
    case login(LoginFailure)
    /// Something went wrong on a remote host (its address first, then what).
    case onHost(String, cause: HostError)

    public var description: String {
        switch self {
        case .usage(let text):
            return text
        case .failed(let code):
            return "failed (exit \(code))"
        case .login(let failure):
            return failure.description
        case .onHost(let host, let cause):
            return "\(host): \(cause)"
        }
    }
}

