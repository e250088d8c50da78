import Foundation

/// ANSI colour for terminals, off with --no-color, NO_COLOR, or when the output is not a terminal.
struct Style: Sendable {
    let enabled: Bool

    static func forStdout(noColor: Bool) -> Style {
        let environment = ProcessInfo.processInfo.environment
        let off = noColor || environment["NO_COLOR"].map { !$0.isEmpty } == true || environment["TERM"] == "dumb"
        return Style(enabled: !off && isatty(STDOUT_FILENO) == 1)
    }

    static let plain = Style(enabled: false)

    private func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func green(_ text: String) -> String { wrap("32", text) }
    func yellow(_ text: String) -> String { wrap("33", text) }
    func red(_ text: String) -> String { wrap("31", text) }
    func bold(_ text: String) -> String { wrap("1", text) }
    func dim(_ text: String) -> String { wrap("2", text) }
}
