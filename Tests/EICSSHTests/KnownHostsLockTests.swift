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

/// A plan opens `--parallelism` connections at once, and each looks its host up in the same known_hosts
/// (one line per host of the fleet). They must share one parse of it: each parsing it for itself held
/// a copy per connection at the same time, most of plan's heap at 1,000 hosts (bench/RESULTS.md).
@Suite struct KnownHostsSharedParseTests {
    @Test func connectionsStartingTogetherParseTheFileOnce() async throws {
        let path = NSTemporaryDirectory() + "eic-known-hosts-shared-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = "AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV"
        let text = (0..<500).map { "[127.0.1.\($0 % 250)]:\(2000 + $0) ssh-ed25519 \(key)" }.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let connections = 8
        let found = try await OffPool.run {
            let results = FoundTypes()
            let done = DispatchGroup()
            // One OS thread per connection. Holding each parse 50 ms forces the overlap: without sharing,
            // all eight find no parse yet and parse the file themselves.
            for index in 0..<connections {
                done.enter()
                Thread {
                    let types = HostKeyVerifier.preferredKeyTypes(path: path, hostToken: "[127.0.1.\(index)]:\(2000 + index)",
                                                                  whileParsing: { usleep(50_000) })
                    results.add(types)
                    done.leave()
                }.start()
            }
            done.wait()
            return results.value
        }
        #expect(HostKeyVerifier.parseCounts.withLock { $0[path] } == 1)
        #expect(found == Array(repeating: ["ssh-ed25519"], count: connections), "every connection still finds its host")
    }
}

private final class FoundTypes: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var found: [[String]] = []
    func add(_ types: [String]) { lock.withLock { found.append(types) } }
    var value: [[String]] { lock.withLock { found } }
}
