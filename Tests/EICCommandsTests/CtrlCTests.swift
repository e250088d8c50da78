import EICSandbox
import EICTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 19, items 11 and 16: Ctrl-C (real SIGINTs to the real binary's process group) in plan, verify and
/// apply — the first starts nothing new and says so, the second aborts at once, exit 130 — and
/// `apply --verify` verifies even with nothing to change.
@Suite struct CtrlCTests {
    /// A plan of the sandbox fleet whose SSH port is `port` (a listener that never speaks: a hung host).
    static func plan(port: Int, connectTimeout: Int, in directory: String) throws -> String {
        let path = directory + "/hung.json"
        try """
        { "version": 1, "region": "us-east-1",
          "instances": { "select": { "tags": { "Fleet": "sandbox" } },
                         "ssh": { "user": "ec2-user", "identityFile": "${EICSETUP_SANDBOX_KEY}", "address": "private-ip",
                                  "knownHosts": "${EICSETUP_SANDBOX_KNOWN_HOSTS}", "port": \(port),
                                  "connectTimeoutSeconds": \(connectTimeout), "commandTimeoutSeconds": \(connectTimeout) } },
          "iam": { "policies": [ { "name": "EC2InstanceConnect-ctrlc", "allow": { "instances": "selected", "osUsers": ["ec2-user"] } } ] } }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `arguments` in a new session, sends SIGINT to its group once `ready` holds of what it printed so far, and a second one
    /// when `twice`; returns the exit status and both outputs. A run that outlives `limit` is killed and recorded.
    static func interrupt(_ arguments: [String], environment: [String: String], twice: Bool, directory: String,
                          ready: @escaping (_ stdout: String) -> Bool) async throws -> (status: Int32, stdout: String, stderr: String) {
        // Files of this run only: with one pair for every run, the previous run's "Press Ctrl-C again" made
        // the second SIGINT go out at once, before the first was handled, and the two merged into one.
        let run = UUID().uuidString.prefix(8)
        let (out, err) = (directory + "/stdout-\(run)", directory + "/stderr-\(run)")
        let pid = try ChildProcess.spawn([RepositoryPaths.eicsetupBinary] + arguments, stdout: out, stderr: err,
                                         environment: environment, newSession: true)
        func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        var status: Int32?
        // waitpid here, not ChildProcess.hasExited: that one reaps the child and loses its status.
        func exited() -> Bool {
            if status != nil { return true }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return false }
            status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            return true
        }
        // A deadline only so that a broken build cannot hang the suite; nothing is asserted about time.
        let limit = Date().addingTimeInterval(240)
        while !ready(text(out)) && !exited() && Date() < limit { try await Task.sleep(nanoseconds: 20_000_000) }
        kill(-pid, SIGINT)
        if twice {
            while !text(err).contains("Press Ctrl-C again") && !exited() && Date() < limit {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            kill(-pid, SIGINT)
        }
        while !exited() && Date() < limit { try await Task.sleep(nanoseconds: 50_000_000) }
        if !exited() {
            Issue.record("\(arguments.first ?? "") still ran long after Ctrl-C: \(text(err))")
            kill(-pid, SIGKILL)
            status = await ChildProcess.wait(pid)
        }
        return (status ?? -1, text(out), text(err))
    }

    @Test func planVerifyAndApplyStopOnCtrlCWithExit130AndApplyVerifyVerifiesWithoutChanges() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 178) { fixture in
            let directory = NSTemporaryDirectory() + "eic-ctrlc-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let env = PlanApplyTests.environment(fixture.state)
            let instance = try #require(fixture.instance("al2-current"))
            let hung = try HungListener(host: instance.ipAddress)
            defer { hung.close() }

            // plan, one Ctrl-C: the hung probe runs into the plan's connect timeout, no plan is shown, exit 130.
            let short = try Self.plan(port: hung.port, connectTimeout: 3, in: directory)
            let plan = try await Self.interrupt(["plan", short], environment: env, twice: false, directory: directory) { _ in hung.connections > 0 }
            #expect(plan.status == 130, "\(plan.stderr)")
            #expect(plan.stderr.contains("no new host is probed"), "\(plan.stderr)")
            #expect(!plan.stdout.contains("Plan:"), "\(plan.stdout)")

            // plan, verify and apply on a host that would hang for 10 minutes: the second Ctrl-C aborts now.
            let long = try Self.plan(port: hung.port, connectTimeout: 600, in: directory)
            for command in [["plan", long], ["verify", long, "--iam-wait", "0"], ["apply", long, "--auto-approve"]] {
                let before = hung.connections
                let run = try await Self.interrupt(command, environment: env, twice: true, directory: directory) { _ in hung.connections > before }
                #expect(run.status == 130, "\(command[0]): \(run.stderr)")
                #expect(run.stderr.contains("Press Ctrl-C again") && run.stderr.contains("Aborted."), "\(command[0]): \(run.stderr)")
            }
            #expect(try await PlanApplyTests.calls(fixture.state).byAction["CreatePolicy"] == nil, "the interrupted apply changed IAM")

            // Item 16: nothing left to change, --verify still logs in (as the admin, whom IAM allows everything).
            let playbook = PlanApplyTests.playbook
            let first = try await CLIRunner.run(["apply", playbook, "--auto-approve"], environment: env)
            #expect(first.status == 0, "\(first.all)")
            let verified = try await CLIRunner.run(["apply", playbook, "--auto-approve", "--verify"], environment: env)
            #expect(verified.status == 0, "\(verified.all)")
            #expect(verified.stdout.contains("No changes."), "\(verified.stdout)")
            #expect(verified.stdout.contains("Verifying as") && verified.stdout.contains(instance.instanceId), "\(verified.stdout)")
        }
    }

    /// A host step that hangs (the sandbox's slow-install fault): the first Ctrl-C lets it run, the second
    /// ends apply at once with 130 instead of waiting it out.
    @Test func aSecondCtrlCAbortsAHungHostStep() async throws {
        try await SandboxFixture.with(["al2-old"], subnet: 179, faults: "slow-install=900") { fixture in
            let directory = NSTemporaryDirectory() + "eic-ctrlc-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let id = try #require(fixture.instance("al2-old")).instanceId
            let run = try await Self.interrupt(["apply", PlanApplyTests.playbook, "--auto-approve", "--json"],
                                               environment: PlanApplyTests.environment(fixture.state), twice: true, directory: directory) {
                $0.contains(#""event":"started","address":"instance[\#(id)]""#)
            }
            #expect(run.status == 130, "\(run.stderr)")
            #expect(run.stderr.contains("no new actions start") && run.stderr.contains("Aborted."), "\(run.stderr)")
            #expect(!run.stdout.contains(#""status":"changed","detail":"installed"#), "the install cannot have finished")
        }
    }
}

/// A TCP listener that accepts and never says a word: an SSH client waits for the banner until its timeout.
final class HungListener: Sendable {
    let port: Int
    private let socketFD: Int32
    private final class Accepted: Sendable { let fds = Mutex<[Int32]>([]) }
    private let accepted = Accepted()

    init(host: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        socketFD = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw PeerError("cannot listen on \(host): \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let accepted = accepted
        Thread.detachNewThread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                accepted.fds.withLock { $0.append(client) }
            }
        }
    }

    var connections: Int { accepted.fds.withLock { $0.count } }

    func close() {
        shutdown(socketFD, Int32(SHUT_RDWR))
        Glibc.close(socketFD)
        accepted.fds.withLock { for fd in $0 { Glibc.close(fd) } }
    }
}
