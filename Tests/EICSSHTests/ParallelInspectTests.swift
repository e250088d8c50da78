import EICCore
import EICSSH
import EICTestSupport
import Foundation
import Testing

/// 50 hosts inspected at once: every session blocks a dedicated thread, none blocks the cooperative pool.
@Suite struct ParallelInspectTests {
    @Test func fiftyHostsInParallel() async throws {
        try await HeavyTests.oneAtATime { try await Self.inspectFifty() }
    }

    static func inspectFifty() async throws {
        var servers: [TestSSHD] = []
        for _ in 0..<5 { servers.append(try await TestSSHD.started()) }
        defer { servers.forEach { $0.stop() } }
        let knownHosts = servers[0].directory + "/known_hosts"
        let targets = (0..<50).map { servers[$0 % servers.count].options(identity: .keyFile(path: TestKeys.shared.ed25519),
                                                                          knownHosts: knownHosts) }
        let start = Date()
        let results = await BoundedConcurrency.map(targets, maxInFlight: 50) { options in
            let connection = try await SSHConnection.open(options)
            return try await HostInspector.inspect(connection)
        }
        let elapsed = Date().timeIntervalSince(start)
        print("50 hosts inspected in parallel in \(String(format: "%.2f", elapsed)) s on \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for case .failure(let error) in results { Issue.record("\(error)") }
        #expect(results.count == 50)
        #expect(results.allSatisfy { (try? $0.get())?.osID != nil })
        // accept-new under contention: exactly one line per server.
        let lines = try String(contentsOfFile: knownHosts, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == servers.count)
    }
}
