import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// Issue 19, items 1 and 10, end to end: `plan --out` and `apply SAVED` as processes against the
/// sandbox's AWS (moto with authentication), checked with the EC2 API.
@Suite struct SavedPlanCommandTests {
    static func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "eic-saved-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func anotherADMINCIDRAtApplyOrAnEditedSavedPlanOpensNothing() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 177) { fixture in
            let directory = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let group = fixture.state.securityGroupId
            let planFile = directory + "/p.json"
            try #"{"version": 1, "region": "us-east-1", "securityGroups": [{"groupId": "\#(group)", "ingress": [{"port": 22, "cidr": "${ADMIN_CIDR}"}]}]}"#
                .write(toFile: planFile, atomically: true, encoding: .utf8)
            var env = PlanApplyTests.environment(fixture.state)
            env["XDG_CONFIG_HOME"] = directory + "/config"
            let saved = directory + "/s.json"
            let ec2 = EC2Client(client: fixture.client())
            func cidrs() async throws -> [String] {
                try await ec2.describeSecurityGroupRules(groupIds: [group]).filter { !$0.isEgress }.compactMap(\.cidrIpv4)
            }

            let plan = try await CLIRunner.run(["plan", planFile, "--out", saved], environment: env.merging(["ADMIN_CIDR": "203.0.113.7/32"]) { $1 })
            #expect(plan.status == 0, "\(plan.all)")
            #expect(plan.stdout.contains("203.0.113.7/32"))
            let key = directory + "/config/eicsetup/saved-plan.key"
            #expect(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int == 0o600)
            let text = try String(contentsOfFile: saved, encoding: .utf8)
            #expect(!text.contains(fixture.state.admin.secretAccessKey) && !text.contains(fixture.state.admin.accessKeyId))

            // The repro: another value at apply time is refused, naming the variable; nothing is opened.
            let wider = try await CLIRunner.run(["apply", saved, "--auto-approve"], environment: env.merging(["ADMIN_CIDR": "0.0.0.0/0"]) { $1 })
            #expect(wider.status == 1, "\(wider.all)")
            #expect(wider.stderr.contains("${ADMIN_CIDR}") && wider.stderr.contains("Nothing was changed"), "\(wider.stderr)")
            #expect(try await cidrs().isEmpty)

            // The saved file edited to say 0.0.0.0/0 everywhere: its MAC no longer matches.
            let edited = directory + "/edited.json"
            try text.replacingOccurrences(of: "203.0.113.7/32", with: "0.0.0.0/0").write(toFile: edited, atomically: true, encoding: .utf8)
            let tampered = try await CLIRunner.run(["apply", edited, "--auto-approve"], environment: env)
            #expect(tampered.status == 1, "\(tampered.all)")
            #expect(tampered.stderr.contains("does not match its MAC"), "\(tampered.stderr)")
            #expect(try await cidrs().isEmpty)

            // The plan file edited since: named.
            let original = try String(contentsOfFile: planFile, encoding: .utf8)
            try original.replacingOccurrences(of: "${ADMIN_CIDR}", with: "0.0.0.0/0").write(toFile: planFile, atomically: true, encoding: .utf8)
            let changedFile = try await CLIRunner.run(["apply", saved, "--auto-approve"], environment: env)
            #expect(changedFile.status == 1 && changedFile.stderr.contains("the plan file changed since"), "\(changedFile.all)")
            try original.write(toFile: planFile, atomically: true, encoding: .utf8)

            // Without ADMIN_CIDR set, the reviewed value is applied, and only it.
            let apply = try await CLIRunner.run(["apply", saved, "--auto-approve"], environment: env)
            #expect(apply.status == 0, "\(apply.all)")
            #expect(try await cidrs() == ["203.0.113.7/32"])

            // A second apply of the same saved plan: the rule exists now, so planning again differs; refused.
            let again = try await CLIRunner.run(["apply", saved, "--auto-approve"], environment: env)
            #expect(again.status == 1 && again.stderr.contains("security_group[\(group)]"), "\(again.all)")
        }
    }

    /// Item 14: plan with accept-new reads only — known_hosts is unchanged and stderr says so; apply records the key.
    @Test func planWithAcceptNewWritesNoKnownHostsLineAndApplyDoes() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 180) { fixture in
            let directory = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let knownHosts = directory + "/known_hosts"
            try "".write(toFile: knownHosts, atomically: true, encoding: .utf8)
            let planFile = directory + "/p.json"
            try """
            { "version": 1, "region": "us-east-1",
              "instances": { "select": { "tags": { "Fleet": "sandbox" } },
                             "ssh": { "identityFile": "${EICSETUP_SANDBOX_KEY}", "address": "private-ip",
                                      "hostKeys": "accept-new", "knownHosts": "\(knownHosts)" } } }
            """.write(toFile: planFile, atomically: true, encoding: .utf8)
            let env = PlanApplyTests.environment(fixture.state)
            let plan = try await CLIRunner.run(["plan", planFile], environment: env)
            #expect(plan.status == 0, "\(plan.all)")
            #expect(plan.stderr.contains("trusted for this plan only and not written to \(knownHosts)"), "\(plan.stderr)")
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).isEmpty, "plan wrote known_hosts")
            let apply = try await CLIRunner.run(["apply", planFile, "--auto-approve"], environment: env)
            #expect(apply.status == 0, "\(apply.all)")
            let address = try #require(fixture.instance("al2-current")).ipAddress
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).contains(address), "apply recorded no key")
        }
    }

    /// Item 10: --out never overwrites a file (not even the input plan) and never follows a symlink.
    @Test func planOutRefusesExistingFilesAndSymlinks() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let planFile = directory + "/p.json"
        let planText = #"{"version": 1, "region": "us-east-1"}"#
        try planText.write(toFile: planFile, atomically: true, encoding: .utf8)
        let target = directory + "/victim"
        try "precious".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: target)
        try FileManager.default.createSymbolicLink(atPath: directory + "/dangling", withDestinationPath: directory + "/nothing-yet")
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = directory + "/config"
        for out in [planFile, target, directory + "/link", directory + "/dangling"] {
            let output = try await CLIRunner.run(["plan", planFile, "--out", out], environment: env)
            #expect(output.status == 1, "\(out): \(output.all)")
            #expect(output.stderr.contains("already exists"), "\(out): \(output.stderr)")
        }
        #expect(try String(contentsOfFile: planFile, encoding: .utf8) == planText)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")
        #expect(!FileManager.default.fileExists(atPath: directory + "/nothing-yet"))
    }
}
