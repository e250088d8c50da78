import EICAWS
import Foundation

/// Colour on or off, decided once: off with --no-color, with NO_COLOR set to anything non-empty
/// (no-color.org), with TERM=dumb, and when the stream is not a terminal (pipes and files stay plain).
struct TerminalStyle: Sendable {
    let color: Bool

    static func decide(noColorFlag: Bool, environment: [String: String] = ProcessInfo.processInfo.environment,
                       fileDescriptor: Int32 = STDERR_FILENO) -> TerminalStyle {
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        let dumb = environment["TERM"] == "dumb"
        return TerminalStyle(color: !noColorFlag && !noColor && !dumb && isatty(fileDescriptor) == 1)
    }

    enum Tone: String {
        case good = "32", warning = "33", bad = "31", dim = "2"
    }

    func paint(_ text: String, _ tone: Tone) -> String {
        color ? "\u{1B}[\(tone.rawValue)m\(text)\u{1B}[0m" : text
    }
}

/// `-v`: one stderr line per AWS call attempt — service, operation, status, attempt, duration, request id.
/// Built only from `AWSCallEvent`, which carries nothing secret.
enum VerboseLog {
    static func observer(style: TerminalStyle) -> AWSCallObserver {
        AWSCallObserver { event in
            FileHandle.standardError.write(Data((line(event, style: style) + "\n").utf8))
        }
    }

    static func line(_ event: AWSCallEvent, style: TerminalStyle) -> String {
        var outcome = event.httpStatus.map { "HTTP \($0)" } ?? "no answer"
        if let code = event.errorCode { outcome += " \(code)" }
        let tone: TerminalStyle.Tone = event.errorCode == nil ? .good : (event.willRetry ? .warning : .bad)
        var details = ["attempt \(event.attempt)", String(format: "%.0f ms", event.duration * 1000)]
        if let requestId = event.requestId { details.append("request id \(requestId)") }
        if event.willRetry { details.append("retrying") }
        return style.paint("aws:", .dim) + " \(event.service) \(event.operation) " + style.paint(outcome, tone)
            + " (\(details.joined(separator: ", ")))"
    }
}
