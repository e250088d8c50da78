import EICTestSupport
import Foundation
import Testing
@testable import EICCommands
@testable import EICCore

/// Bytes that a tag or a host controls reach the terminal escaped in every text view: a Name tag or a
/// host's answer with ESC/OSC sequences, CR or newlines cannot move the cursor or forge a line.
@Suite struct TerminalSafeTests {
    static let hostile = "web\u{1B}]0;owned\u{07}\r\nPlan: 0 to add, 0 to change, 0 to destroy.\u{1B}[2K\u{202E}txt\u{9B}"

    /// Every line a view printed must be one of ours: no control character but the line ends.
    static func expectNoControlCharacters(_ text: String, _ view: String) {
        let bad = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value)
            || (0x202A...0x202E).contains($0.value) }
        #expect(bad.isEmpty, "\(view) printed control characters \(bad.map { String($0.value, radix: 16) })")
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("Plan: 0 to add") }, "\(view) printed a forged line")
    }

    @Test func escapingIsVisibleAndLossless() {
        #expect("a\u{1B}[31mb\r\nc\u{7F}\u{202E}".terminalSafe == "a\\e[31mb\\r\\nc\\x7f\\u{202e}")
        #expect("plain ütf-8\ttext".terminalSafe == "plain ütf-8\ttext")
    }

    @Test func planApplyAndVerifyTextEscapeWhatTheHostAndTagsSay() throws {
        var (result, observation) = try PlanViewGoldenTests.scenario()
        let first = observation.instances[0]
        observation.instances[0] = ObservedInstance(cloud: PlanViewGoldenTests.instance("i-0000000000000000a", Self.hostile, "10.0.1.10"),
                                                    image: first.image, target: first.target, host: first.host)
        result.actions = result.actions.map { action in
            var action = action
            // What hosts say reaches the words through the typed reason and state.
            if action.kind == .instance {
                action.reason = .probeFailed(error: Self.hostile)
                action.before = .host(HostState(distribution: .other(id: Self.hostile, version: ""), packageInstalled: true,
                                                packageVersion: Self.hostile, authorizedKeysCommand: Self.hostile))
            }
            return action
        }
        let verbose = PlanView.text(result, observation, verbose: true, style: .plain)
        Self.expectNoControlCharacters(verbose, "plan -v")
        #expect(verbose.contains("web\\e]0;owned\\x07\\r\\nPlan: 0 to add"))
        Self.expectNoControlCharacters(PlanView.text(result, observation, verbose: false, style: Style(enabled: false)), "plan")

        let verify = VerifyView.text([VerifyResult(instanceId: "i-0000000000000000a", name: Self.hostile, osUser: "ec2-user",
                                                   address: "10.0.1.10", outcome: .failed(.other(Self.hostile)), seconds: 0.1)],
                                     observation, style: .plain)
        Self.expectNoControlCharacters(verify, "verify")
    }
}
