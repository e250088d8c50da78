import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// The SSM transport end to end (issue 21): a sandbox where half the fleet has no SSH login for the
/// operator (the launch key is gone) and only an online SSM agent; the sandbox's Run Command really
/// runs the scripts inside the instances as root. `eicsetup` runs as a process, checked by the peers:
/// the instances' package logs, the AWS call accounting and real EIC logins.
@Suite struct SSMTransportTests {
    static func plan(transport: String) throws -> String {
        let text = try String(contentsOfFile: PlanApplyTests.playbook, encoding: .utf8)
            .replacingOccurrences(of: #""onConflict": "report","#, with: #""transport": "\#(transport)", "onConflict": "report","#)
        let path = NSTemporaryDirectory() + "eic-ssm-\(transport)-\(UUID().uuidString.prefix(8)).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func instanceActions(_ json: String, _ personalityOf: [String: String]) throws -> [String: [String: Any]] {
        let actions = try #require(try PlanApplyTests.object(json)["actions"] as? [[String: Any]])
        var byPersonality: [String: [String: Any]] = [:]
        for action in actions where action["kind"] as? String == "instance" {
            let address = action["address"] as? String ?? ""
            if let personality = personalityOf[String(address.dropFirst("instance[".count).dropLast())] { byPersonality[personality] = action }
        }
        return byPersonality
    }

    @Test func autoOnboardsTheSSMOnlyHalfThroughRunCommandAndConverges() async throws {
        let plan = try Self.plan(transport: "auto")
        defer { try? FileManager.default.removeItem(atPath: plan) }
        try await SandboxFixture.with(["al2-old", "al2-current", "ubuntu-18.04", "ssm-al2", "ssm-ubuntu", "ssm-preconfigured"], subnet: 66) { fixture in
            let env = PlanApplyTests.environment(fixture.state)
            let personalityOf = Dictionary(uniqueKeysWithValues: fixture.state.instances.map { ($0.instanceId, $0.personality) })

            // 1. plan: the right action and transport for every host; SSM-only hosts are probed through Run Command.
            let first = try await CLIRunner.run(["plan", plan, "--json", "--detailed-exitcode"], environment: env)
            #expect(first.status == 2, "\(first.stderr)")
            try await PlanApplyTests.validate(first.stdout, schema: "schema/plan-output.schema.json")
            let actions = try Self.instanceActions(first.stdout, personalityOf)
            let expected: [String: (String, String)] = [
                "al2-old": ("create", "ssh"), "ubuntu-18.04": ("create", "ssh"),
                "al2-current": ("no-op", "ssm"),  // its agent is online, so auto prefers Run Command
                "ssm-al2": ("create", "ssm"), "ssm-ubuntu": ("create", "ssm"), "ssm-preconfigured": ("no-op", "ssm"),
            ]
            for (personality, (change, transport)) in expected {
                #expect(actions[personality]?["action"] as? String == change, "\(personality): \(actions[personality] ?? [:])")
                #expect(actions[personality]?["transport"] as? String == transport, "\(personality): \(actions[personality] ?? [:])")
            }
            let text = try await CLIRunner.run(["plan", plan], environment: env)
            // The text names the transport of the two SSM hosts with changes (no-op hosts are listed with -v only).
            #expect(text.stdout.split(separator: "\n").filter { $0.contains("via ssm") }.count == 2, "\(text.stdout)")

            // 2. apply installs over both transports; the SSM hosts' package logs show the installs ran there.
            try await PlanApplyTests.resetCalls(fixture.state)
            let apply = try await CLIRunner.run(["apply", plan, "--auto-approve"], environment: env)
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            let calls = try await PlanApplyTests.calls(fixture.state)
            // One batch per script: the probe, each package manager's install, the re-probe — never one per host.
            let sends = calls.byAction["ssm:SendCommand"] ?? 0
            #expect(sends >= 3 && sends <= 6, "\(calls.byAction)")
            #expect(calls.byAction["ssm:DescribeInstanceInformation"] == 1, "\(calls.byAction)")
            for personality in ["ssm-al2", "ssm-ubuntu"] {
                let root = try #require(fixture.instance(personality)).rootDirectory
                let log = (try? String(contentsOfFile: root + "/run/package-commands.log", encoding: .utf8)) ?? ""
                #expect(log.contains("install"), "\(personality): \(log)")
            }

            // 3. a second apply changes nothing.
            let again = try await CLIRunner.run(["apply", plan, "--auto-approve"], environment: env)
            #expect(again.stdout.contains("No changes."), "\(again.stdout)")

            // 4. verify logs in with EIC on every host (tcp/22 from the verifier, as the sandbox gives).
            let verify = try await CLIRunner.run(["verify", plan, "--json", "--iam-wait", "5"],
                                                 environment: PlanApplyTests.environment(fixture.state, asEICUser: true))
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            let hosts = try #require(try PlanApplyTests.object(verify.stdout)["hosts"] as? [[String: Any]])
            #expect(hosts.count == 6 && hosts.allSatisfy { $0["result"] as? String == "ok" }, "\(verify.stdout)")
        }
    }

    @Test func ssmReportsInstancesWithoutAnOnlineAgentAsUnreachableWithTheReason() async throws {
        let plan = try Self.plan(transport: "ssm")
        defer { try? FileManager.default.removeItem(atPath: plan) }
        try await SandboxFixture.with(["al2-old", "ssm-al2", "ssm-offline"], subnet: 67) { fixture in
            let personalityOf = Dictionary(uniqueKeysWithValues: fixture.state.instances.map { ($0.instanceId, $0.personality) })
            let result = try await CLIRunner.run(["plan", plan, "--json"], environment: PlanApplyTests.environment(fixture.state))
            #expect(result.status == 0, "\(result.stderr)")
            let actions = try Self.instanceActions(result.stdout, personalityOf)
            #expect(actions["ssm-al2"]?["action"] as? String == "create")
            // al2-old has no instance profile (no agent); ssm-offline's agent lost its connection.
            #expect(actions["al2-old"]?["action"] as? String == "unreachable")
            #expect((actions["al2-old"]?["reason"] as? String ?? "").contains("no SSM agent is registered"), "\(actions["al2-old"] ?? [:])")
            #expect(actions["ssm-offline"]?["action"] as? String == "unreachable")
            #expect((actions["ssm-offline"]?["reason"] as? String ?? "").contains("ConnectionLost"), "\(actions["ssm-offline"] ?? [:])")
            #expect(actions["al2-old"]?["reason_code"] as? String == "ssm_agent_not_registered")
            #expect(actions["ssm-offline"]?["reason_code"] as? String == "ssm_agent_offline")
            #expect(actions.values.allSatisfy { $0["transport"] as? String == "ssm" })
        }
    }

    /// Throttled SSM calls are retried like every AWS call; a failed invocation is that host's failure,
    /// named in the plan, not a wrong fact.
    @Test func throttlingIsRetriedAndAFailedInvocationIsReportedNotBelieved() async throws {
        let plan = try Self.plan(transport: "ssm")
        defer { try? FileManager.default.removeItem(atPath: plan) }
        try await SandboxFixture.with(["ssm-al2", "ssm-ubuntu"], subnet: 68, faults: "ssm-throttle=0.3") { fixture in
            var env = PlanApplyTests.environment(fixture.state)
            env["AWS_MAX_ATTEMPTS"] = "12"  // 0.3^12: the retries, not luck, carry the plan through
            let personalityOf = Dictionary(uniqueKeysWithValues: fixture.state.instances.map { ($0.instanceId, $0.personality) })
            try await PlanApplyTests.resetCalls(fixture.state)
            let result = try await CLIRunner.run(["plan", plan, "--json"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let actions = try Self.instanceActions(result.stdout, personalityOf)
            #expect(actions["ssm-al2"]?["action"] as? String == "create" && actions["ssm-ubuntu"]?["action"] as? String == "create", "\(actions)")
            let calls = try await PlanApplyTests.calls(fixture.state)
            let throttled = try await Self.throttledSSMCalls(fixture.state)
            #expect(throttled > 0, "no SSM call was throttled: \(calls.byAction)")
        }
        try await SandboxFixture.with(["ssm-al2"], subnet: 69, faults: "ssm-fail=1") { fixture in
            let personalityOf = Dictionary(uniqueKeysWithValues: fixture.state.instances.map { ($0.instanceId, $0.personality) })
            let result = try await CLIRunner.run(["plan", plan, "--json"], environment: PlanApplyTests.environment(fixture.state))
            let actions = try Self.instanceActions(result.stdout, personalityOf)
            #expect(actions["ssm-al2"]?["action"] as? String == "skip", "\(result.stdout)")
            #expect((actions["ssm-al2"]?["reason"] as? String ?? "").contains("probe failed"), "\(actions)")
            #expect(actions["ssm-al2"]?["reason_code"] as? String == "probe_failed")
        }
    }

    /// SSM requests the sandbox answered with its throttling fault since the last reset.
    static func throttledSSMCalls(_ state: SandboxState) async throws -> Int {
        let url = try #require(URL(string: state.endpoint + "/_sandbox/calls"))
        let answer = try await SocketHTTPTransport().send(HTTPRequest(method: "GET", url: url))
        let calls = try #require(try PlanApplyTests.object(String(decoding: answer.body, as: UTF8.self))["calls"] as? [[String: Any]])
        return calls.filter { ($0["service"] as? String) == "ssm" && $0["fault"] != nil && !($0["fault"] is NSNull) }.count
    }
}
