import ArgumentParser
import EICCore

/// Errors of the command layer, printed by ArgumentParser as "Error: …".
public enum CommandError: Error, CustomStringConvertible {
    /// The subcommand is registered (so --help documents it) but its issue has not landed yet.
    case notYetBuilt(command: String)
    /// The user asked for something the command cannot do; the text says what to do instead.
    case usage(String)
    /// A failure that has already been explained on stderr; only the exit status remains.
    case failed(exitCode: Int32)
    /// Something went wrong on a remote host (its address first, then what).
    case onHost(String, cause: HostError)

    public var description: String {
        switch self {
        case .notYetBuilt(let command):
            return "'eicsetup \(command)' is not built yet in this version. Nothing was done."
        case .usage(let text):
            return text
        case .failed(let code):
            return "failed (exit \(code))"
        case .onHost(let host, let cause):
            return "\(host): \(cause)"
        }
    }
}

extension CommandError {
    /// Throws the plain "not built yet" error for a registered-but-unimplemented subcommand.
    static func notBuilt(_ name: String) -> Error {
        CommandError.notYetBuilt(command: name)
    }
}
