import Foundation
import Testing
@testable import EICCore

@Suite struct HostShellQuoteTests {
    @Test(arguments: [
        ("", "''"),
        ("plain", "'plain'"),
        ("it's", #"'it'\''s'"#),
        ("$HOME `id` $(id)", "'$HOME `id` $(id)'"),
        ("a\nb", "'a\nb'"),
        ("''", #"''\'''\'''"#),
    ])
    func quotes(_ input: String, _ expected: String) {
        #expect(ShellQuote.quote(input) == expected)
    }

    /// The real /bin/sh must read each quoted word back as the original bytes.
    @Test func roundTripsThroughSh() throws {
        let values = ["", "it's", "a b\tc", "$HOME", "`id`", "$(id)", "line1\nline2", "back\\slash", "*", "!", "é ✓", "-n", "'\"'"]
        for value in values {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "printf '%s' " + ShellQuote.quote(value)]
            // A file, not a pipe: a daemon spawned by another test at the same moment could inherit a
            // pipe's write end, and reading to end-of-file would then never finish.
            let output = NSTemporaryDirectory() + "eicsetup-quote-" + UUID().uuidString
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: output) }
            let handle = try #require(FileHandle(forWritingAtPath: output))
            process.standardOutput = handle
            try process.run()
            process.waitUntilExit()
            try handle.close()
            #expect(try String(contentsOfFile: output, encoding: .utf8) == value)
        }
    }

    @Test func remoteCommandQuotesEveryArgument() {
        #expect(RemoteCommand(arguments: ["cat", "--", "/etc/my file"]).text == "'cat' '--' '/etc/my file'")
    }
}

@Suite struct HostBoundedConcurrencyTests {
    actor Gauge {
        var current = 0, peak = 0
        func enter() { current += 1; peak = max(peak, current) }
        func leave() { current -= 1 }
    }

    @Test func keepsOrderBoundAndFailuresSeparate() async {
        let gauge = Gauge()
        let results = await BoundedConcurrency.map(Array(0..<20), maxInFlight: 3) { item in
            await gauge.enter()
            try await Task.sleep(nanoseconds: 5_000_000)
            await gauge.leave()
            if item == 7 { throw CancellationError() }
            return item * 2
        }
        #expect(results.count == 20)
        #expect((try? results[3].get()) == 6)
        #expect((try? results[7].get()) == nil)
        #expect(await gauge.peak <= 3)
        #expect(await gauge.peak >= 2)
    }
}
