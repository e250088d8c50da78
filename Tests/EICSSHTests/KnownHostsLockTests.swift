import Foundation
import Testing
@testable import EICSSH

/// accept-new from many sessions at once: the read-check-append of known_hosts must be one step, or
/// every session that read the file before the first append adds the same host again.
@Suite struct KnownHostsLockTests {
    @Test func concurrentFirstConnectionsRecordAHostExactlyOnce() async throws {
        let path = NSTemporaryDirectory() + "eic-known-hosts-lock-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let blob = Array(Data(base64Encoded: "AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV") ?? Data())
        let sessions = 8
        let added = try await OffPool.run {
            let count = AddedCounter()
            let done = DispatchGroup()
            // One OS thread per session (not concurrentPerform, which runs only as many as there are cores).
            // Holding each session 50 ms after its read forces the collision: without the lock all eight
            // read the empty file before anyone appends; with it they take turns (0.4 s in all).
            for _ in 0..<sessions {
                done.enter()
                Thread {
                    let wasAdded = (try? HostKeyVerifier.verify(path: path, hostToken: "[127.0.0.1]:2222", keyType: "ssh-ed25519",
                                                                keyBlob: blob, policy: .acceptNew,
                                                                afterReading: { usleep(50_000) })) ?? false
                    if wasAdded { count.increment() }
                    done.leave()
                }.start()
            }
            done.wait()
            return count.value
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1, "one host, one line: \(lines.count)")
        #expect(added == 1, "exactly one session reports the key as newly added")
    }
}

/// A thread-safe counter for the sessions above.
private final class AddedCounter: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
