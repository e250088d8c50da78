import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// Issue 8, defects 1 and 9: an interrupted or refused `sandbox up` leaves nothing behind.
@Suite struct SandboxInterruptionTests {
    static let binary = RepositoryPaths.eicsetupBinary

    /// SIGINT to the whole process group (as a terminal's Ctrl-C) once the AWS side is ready: exit 130,
    /// awsd and every started instance stopped, no state directory, no listener; the next `up` works.
    @Test func ctrlCDuringUpRollsBackAndTheNextUpWorks() async throws {
        let layout = try SandboxFixture.layout()
        let directory = "/tmp/eicsetup-test-sandbox-48"
        _ = try? await Sandbox.down(stateDirectory: directory, layout: layout)
        try await HeavyTests.oneAtATime {
            let log = directory + ".stderr"
            try? FileManager.default.removeItem(atPath: log)
            defer { try? FileManager.default.removeItem(atPath: log) }
            let pid = try ChildProcess.spawn(
                [Self.binary, "sandbox", "up", "--state-dir", directory, "--subnet", "48", "--instances", "6"],
                stdout: "/dev/null", stderr: log, environment: Self.environment, newSession: true)
            var awsdPid: Int32?
            while !(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("AWS side ready")) {
                #expect(!ChildProcess.hasExited(pid), "up ended before the AWS side was ready")
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            awsdPid = (try? String(contentsOfFile: directory + "/awsd.pid", encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            kill(-pid, SIGINT)
            let status = await ChildProcess.wait(pid)
            let stderr = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(status == 130, "stderr: \(stderr)")
            #expect(stderr.contains("interrupted"))
            #expect(!FileManager.default.fileExists(atPath: directory), "state directory left behind")
            let awsd = try #require(awsdPid)
            #expect(!(Self.commandLine(awsd).contains("awsd.py")), "awsd still runs")
            #expect(Self.processes(mentioning: directory).isEmpty, "left: \(Self.processes(mentioning: directory))")
            for index in 0..<6 { #expect(!LoopbackPort.isListening(host: "127.0.48.\(10 + index)", port: 22)) }

            var options = SandboxOptions(stateDirectory: directory, personalities: ["al2-current"])
            options.firstSubnet = 48
            let state = try await Sandbox.up(options, layout: layout)
            #expect(state.instances.count == 1)
            try await Sandbox.down(stateDirectory: directory, layout: layout)
        }
    }

    /// A state directory whose `up` never finished: cleaned when nothing of it runs any more; refused with
    /// "run `eicsetup sandbox down`" while its processes run — never an ssh-keygen prompt.
    @Test func upOverAHalfStartedStateDirectory() async throws {
        let layout = try SandboxFixture.layout()
        let directory = "/tmp/eicsetup-test-sandbox-49"
        _ = try? await Sandbox.down(stateDirectory: directory, layout: layout)
        try FileManager.default.createDirectory(atPath: directory + "/instances", withIntermediateDirectories: true)
        // What an interrupted run leaves: a fleet key (ssh-keygen would ask "Overwrite (y/n)?") and the pid
        // of an awsd that still runs (a stand-in whose command line carries awsd's marker).
        try "stale".write(toFile: directory + "/fleet_key", atomically: true, encoding: .utf8)
        let standIn = try ChildProcess.spawn(["/bin/sh", "-c", "sleep 120", "awsd.py"], stdout: "/dev/null",
                                             stderr: "/dev/null", environment: [:], newSession: true)
        defer {
            kill(standIn, SIGKILL)
            ChildProcess.reapIfExited(standIn)
        }
        try String(standIn).write(toFile: directory + "/awsd.pid", atomically: true, encoding: .utf8)
        var options = SandboxOptions(stateDirectory: directory, personalities: ["al2-current"])
        options.firstSubnet = 49
        do {
            _ = try await Sandbox.up(options, layout: layout)
            Issue.record("up over a half-started sandbox whose awsd runs was accepted")
        } catch {
            #expect("\(error)".contains("eicsetup sandbox down --state-dir \(directory)"), "\(error)")
        }
        #expect(Self.commandLine(standIn).contains("awsd.py"), "the running process was left alone")
        kill(standIn, SIGKILL)
        _ = await ChildProcess.wait(standIn)

        try await HeavyTests.oneAtATime {
            let state = try await Sandbox.up(options, layout: layout)
            #expect(state.instances.count == 1)
            try await Sandbox.down(stateDirectory: directory, layout: layout)
        }
    }

    /// Defect 9: a bad --faults spec is refused before anything starts (exit 64, no state directory).
    @Test(arguments: ["throttle=2", "iam-delay=-1", "nosuch=1", "throttle", "error5xx=abc", "slow-install=1e9",
                      "ssh-drop=nan", "throttle=0x1"])
    func badFaultsAreRefusedBeforeAnythingStarts(spec: String) async throws {
        let directory = "/tmp/eicsetup-test-faults-\(UUID().uuidString)"
        let output = try await CLIRunner.run(["sandbox", "up", "--state-dir", directory, "--faults", spec],
                                             environment: Self.environment)
        #expect(output.status == 64, "\(spec): \(output.all)")
        #expect(output.stderr.contains("--faults"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    /// Defect 3: numbers out of range are parse-time errors (exit 64), never a trap.
    @Test(arguments: [["--port", "99999"], ["--port", "-5"], ["--port", "65536"], ["--port", "0"], ["--subnet", "0"],
                      ["--subnet", "255"], ["--subnet", "-1"], ["--instances", "0"], ["--instances", "4001"],
                      ["--instances", "99999999999999999999"], ["--personalities", "al2-old=99999999999"],
                      ["--subnet", "254", "--instances", "300"]])
    func outOfRangeNumbersAreUsageErrors(arguments: [String]) async throws {
        let directory = "/tmp/eicsetup-test-range-\(UUID().uuidString)"
        let output = try await CLIRunner.run(["sandbox", "up", "--state-dir", directory] + arguments,
                                             environment: Self.environment)
        #expect(output.status == 64, "\(arguments): \(output.all)")
        #expect(!output.stderr.contains("Fatal error") && !output.stderr.contains("Backtrace"))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test(arguments: ["abc", "-1", "4294967296", ""])
    func badSeedIsAUsageError(seed: String) async throws {
        let directory = "/tmp/eicsetup-test-range-\(UUID().uuidString)"
        let output = try await CLIRunner.run(["sandbox", "up", "--state-dir", directory],
                                             environment: Self.environment.merging(["EICSETUP_SANDBOX_SEED": seed]) { $1 })
        #expect(output.status == 64, "\(seed): \(output.all)")
        #expect(output.stderr.contains("EICSETUP_SANDBOX_SEED"))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["EICSETUP_HOME"] = RepositoryPaths.root.path
        return environment
    }

    static func commandLine(_ pid: Int32) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    static func processes(mentioning text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.map(commandLine).filter { $0.contains(text) }
    }
}
