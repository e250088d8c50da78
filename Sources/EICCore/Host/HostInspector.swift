/// Gathers one host's facts through the `RemoteHost` port with a single probe command.
public enum HostInspector {
    /// Runs `HostProbe` on `host` once and interprets the answer.
    public static func inspect(_ host: some RemoteHost) async throws -> HostFacts {
        let result = try await host.run(HostProbe.command)
        do {
            return HostFactsAnalyzer.facts(from: try ProbeOutputParser.parse(result.stdoutText))
        } catch {
            // Keep the parser's reason, but show what the remote side complained about.
            let stderr = result.stderrText.trimmingWhitespace()
            throw HostError.probeUnreadable(reason: error.reason + (stderr.isEmpty ? "" : "; remote stderr: \(stderr.prefix(300))"))
        }
    }
}
