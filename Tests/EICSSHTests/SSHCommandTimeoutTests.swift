import EICCore
import EICSSH
import Foundation
import Testing

/// A command that outlives its timeout must not hold the caller: `apply` runs package installs over SSH,
/// and a hung yum or apt-get has to end the call within the timeout, not when the remote side gives up.
@Suite struct SSHCommandTimeoutTests {
    @Test func aTimedOutCommandReturnsInTimeAndClosesTheConnection() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let connection = try await SSHExecTests.connect(sshd)
        let pidFile = sshd.directory + "/sleeper-\(UUID().uuidString.prefix(8)).pid"
        // The remote shell records its pid and its parent (sshd's process for this connection), then
        // becomes `sleep 30`.
        let command = RemoteCommand(arguments: ["sh", "-c", "echo $$ $PPID > \"$0\"; exec sleep 30", pidFile])

        let start = ContinuousClock.now
        let error = await #expect(throws: SSHError.self) {
            try await connection.run(command, stdin: [], timeoutMilliseconds: 1000)
        }
        let elapsed = ContinuousClock.now - start
        print("sleep 30 with a 1 s timeout returned after \(elapsed)")
        #expect(error?.kind == .timeout)
        #expect(elapsed < .seconds(3), "the call must return within the timeout plus a small bound, not when sleep ends")

        // The server side of the connection is gone too: sshd's process for it has exited, so the command
        // lost its parent. (sshd does not signal a command without a terminal; see SSHSession.abandon.)
        let pids = (try String(contentsOfFile: pidFile, encoding: .utf8)).split(separator: " ")
            .compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(pids.count == 2)
        defer { kill(pids[0], SIGTERM) }
        let orphaned = await Self.waitUntil(within: .seconds(5)) { Self.parent(of: pids[0]) != pids[1] }
        #expect(orphaned, "sshd still holds the connection of the timed-out command")

        // The connection is unusable now, and says why.
        let later = await #expect(throws: SSHError.self) {
            try await connection.run(RemoteCommand(arguments: ["true"]), stdin: [], timeoutMilliseconds: 10_000)
        }
        #expect(later?.kind == .session)
        #expect(later?.message.contains("timed out") == true, "\(String(describing: later))")

        // The server itself is fine: a new connection works.
        let fresh = try await SSHExecTests.connect(sshd)
        #expect(try await fresh.run(RemoteCommand(arguments: ["echo", "ok"])).stdoutText == "ok\n")
    }

    /// The parent pid of `pid`, or nil when it has ended (gone, or a zombie).
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // "pid (comm) state ppid …": the command name may contain spaces, so split after its ")".
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, fields[0] != "Z" else { return nil }
        return Int32(fields[1])
    }

    static func waitUntil(within limit: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
