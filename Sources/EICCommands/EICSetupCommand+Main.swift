import ArgumentParser
import EICAWS
import EICCore
import EICSSH
import EICSandbox
import Foundation

extension EICSetupCommand {
    /// Parses and runs the command line like ArgumentParser's `main()`, except that under `--json` a
    /// failure is one JSON object on stderr (`schema/error.schema.json`) — a script reading JSON never has
    /// to parse an English sentence — with the same non-zero exit status.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit()
        } catch {
            let code = exitCode(for: error)
            let text = message(for: error)
            if !jsonRequested(arguments), code != .success, text.terminalSafe != text {
                // An error can quote a host's or AWS's words: never let them drive the terminal.
                FileHandle.standardError.write(Data("Error: \(text.terminalSafe)\n".utf8))
                Foundation.exit(code.rawValue)
            }
            guard jsonRequested(arguments), code != .success, !text.isEmpty else { exit(withError: error) }
            FileHandle.standardError.write(Data(ErrorDocument.render(error, message: message(for: error),
                                                                      exitCode: code.rawValue).utf8))
            Foundation.exit(code.rawValue)
        }
    }

    /// `--json` anywhere before a `--` terminator.
    static func jsonRequested(_ arguments: [String]) -> Bool {
        arguments.prefix { $0 != "--" }.contains("--json")
    }
}

/// The JSON form of an error: always `message` and `exit_code`, plus what the error type knows (the AWS
/// service, operation, code and request id; the SSH operation) — never a secret.
enum ErrorDocument {
    struct Document: Encodable {
        let formatVersion = "1"
        let error: Body
    }

    struct Body: Encodable {
        var kind: String
        let message: String
        let exitCode: Int32
        var service: String?
        var operation: String?
        var code: String?
        var requestId: String?
        var httpStatus: Int?
    }

    /// The error that knows most: the core's wrappers (`ObserveError`, `CloudError`) keep their cause.
    static func rootCause(_ error: any Error) -> any Error {
        if let observe = error as? ObserveError, let cause = observe.cause { return rootCause(cause) }
        if let cloud = error as? CloudError { return rootCause(cloud.cause) }
        return error
    }

    static func render(_ error: any Error, message: String, exitCode: Int32) -> String {
        var body = Body(kind: "error", message: message, exitCode: exitCode)
        switch rootCause(error) {
        case let aws as AWSError:
            body = Body(kind: "aws", message: message, exitCode: exitCode, service: aws.service, operation: aws.operation,
                        code: aws.code, requestId: aws.requestId, httpStatus: aws.httpStatus)
        case let ssh as SSHError:
            body = Body(kind: "ssh", message: message, exitCode: exitCode, operation: ssh.operation)
        case is SandboxError:
            body.kind = "sandbox"
        case is CommandError:
            body.kind = "command"
        default:
            if exitCode == ExitCode.validationFailure.rawValue { body.kind = "usage" }
        }
        if let observe = error as? ObserveError, body.kind == "error" { body.operation = observe.step }
        // A JSON error must always come out; the encoder cannot fail on these plain fields.
        return (try? JSONDocument.render(Document(error: body)))
            ?? #"{"format_version":"1","error":{"kind":"error","exit_code":1,"message":"unprintable error"}}"# + "\n"
    }
}
