@testable import EICCommands
import EICSandbox
import EICTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// plan, apply and verify run with glibc's per-thread malloc cache off (issue 20: ~6 MiB of apply's peak
/// at 1,000 hosts), by executing themselves once more with GLIBC_TUNABLES; nothing else is touched.
@Suite struct MallocTuningTests {
    @Test func onlyTheSessionHeavyCommandsReexecuteAndOnlyOnce() {
        #expect(MallocTuning.step(environment: [:], arguments: ["eicsetup", "apply", "plan.json"]) == .reexec)
        #expect(MallocTuning.step(environment: [:], arguments: ["eicsetup", "--no-color", "plan", "p.json"]) == .reexec)
        #expect(MallocTuning.step(environment: [:], arguments: ["eicsetup", "verify"]) == .reexec)
        #expect(MallocTuning.step(environment: [:], arguments: ["eicsetup", "validate", "plan.json"]) == .none)
        #expect(MallocTuning.step(environment: [:], arguments: ["eicsetup"]) == .none)
        // The re-executed process cleans up instead of looping; a caller's own tunables and the opt-out win.
        #expect(MallocTuning.step(environment: ["EICSETUP_MALLOC_TUNED": "reexec", "GLIBC_TUNABLES": MallocTuning.tunables],
                                  arguments: ["eicsetup", "apply"]) == .cleanUp)
        #expect(MallocTuning.step(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=4"], arguments: ["eicsetup", "apply"]) == .none)
        #expect(MallocTuning.step(environment: ["EICSETUP_MALLOC_TUNED": "off"], arguments: ["eicsetup", "apply"]) == .none)
    }

    /// The real binary, caught while it waits for AWS (a loopback listener that never answers): its
    /// process image was started with the cache off, and the variables are gone from what it passes on.
    @Test func theRealBinaryRunsWithTheCacheOff() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eicsetup-malloc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("plan.json").path
        try #"{"version": 1, "region": "us-east-1", "iam": {"policies": [{"name": "EIC-malloc-test", "allow": {"instances": {"tags": {"Fleet": "x"}}, "osUsers": ["ec2-user"]}}]}}"#
            .write(toFile: plan, atomically: true, encoding: .utf8)

        // Accepts connections (the kernel's backlog) and never answers.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 8) == 0
                && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment.removeValue(forKey: "GLIBC_TUNABLES")
        environment.removeValue(forKey: "EICSETUP_MALLOC_TUNED")
        environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"
        environment["AWS_SECRET_ACCESS_KEY"] = "test-secret"
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(port)"
        let pid = try ChildProcess.spawn([RepositoryPaths.eicsetupBinary, "plan", plan], stdout: "/dev/null", stderr: "/dev/null",
                                         environment: environment, newSession: false)
        defer {
            kill(pid, SIGKILL)
            ChildProcess.reapIfExited(pid)
        }
        var started: [Substring] = []
        for _ in 0..<100 {
            let text = (try? String(decoding: Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")), as: UTF8.self)) ?? ""
            started = text.split(separator: "\0")
            if started.contains("EICSETUP_MALLOC_TUNED=reexec") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // /proc/PID/environ is what the (second) exec received.
        #expect(started.contains("GLIBC_TUNABLES=\(MallocTuning.tunables)"))
        #expect(started.contains("EICSETUP_MALLOC_TUNED=reexec"))
        #expect(!ChildProcess.hasExited(pid))
    }
}
