import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// `eicsetup plan` and `apply` run as processes on a sandbox with every personality (real moto with
/// authentication, real sshd's), checked with independent means: the instances' files, the AWS CLI's
/// view of IAM, and real EIC logins with OpenSSH.
@Suite struct PlanApplyTests {
    static let playbook = RepositoryPaths.root.appendingPathComponent("playbooks/sandbox.json").path

    @Test func planThenApplyOnboardsEveryFixableHostAndNothingElse() async throws {
        // SandboxFixture.with already runs one heavy test at a time (wrapping it again would deadlock).
        do {
            // The SSM-only rows (ssm-*: no SSH login for the operator) belong to the SSM transport's tests.
            let personalities = try SandboxFixture.everyPersonality().filter { !$0.hasPrefix("ssm-") }
            try await SandboxFixture.with(personalities, subnet: 60) { fixture in
                let env = Self.environment(fixture.state)
                let personalityOf = Dictionary(uniqueKeysWithValues: fixture.state.instances.map { ($0.instanceId, $0.personality) })
                let treesBefore = try Self.instanceTrees(fixture.state)

                // 1. plan: exit 2 (changes pending), every personality classified, nothing touched.
                try await Self.resetCalls(fixture.state)
                let plan = try await CLIRunner.run(["plan", Self.playbook, "--json", "--detailed-exitcode"], environment: env)
                #expect(plan.status == 2, "\(plan.stderr)")
                let document = try Self.object(plan.stdout)
                try await Self.validate(plan.stdout, schema: "schema/plan-output.schema.json")
                let actions = try #require(document["actions"] as? [[String: Any]])
                var byPersonality: [String: [String: Any]] = [:]
                for action in actions where action["kind"] as? String == "instance" {
                    let address = action["address"] as? String ?? ""
                    let id = String(address.dropFirst("instance[".count).dropLast())
                    if let personality = personalityOf[id] { byPersonality[personality] = action }
                }
                let expected: [String: String] = [
                    "al2-old": "create", "ubuntu-16.04": "create", "ubuntu-18.04": "create", "al2-pkg-1.1-12": "update",
                    "al2-current": "no-op", "ubuntu-20.04": "no-op", "ubuntu-22.04": "no-op",
                    "conflict-sshd-config": "conflict", "conflict-include": "conflict",
                    "unreachable": "unreachable", "hostkey-changed": "unreachable", "sudo-password": "skip",
                    "al2023": "no-op", "al2023-minimal": "create", "ubuntu-24.04": "no-op",
                    // RHEL-family: no package in their repositories, so AWS's published RPM, by URL.
                    "rhel-9": "create", "rhel-8": "create",
                ]
                for (personality, change) in expected {
                    #expect(byPersonality[personality]?["action"] as? String == change, "\(personality): \(byPersonality[personality] ?? [:])")
                }
                #expect((byPersonality["hostkey-changed"]?["reason"] as? String ?? "").contains("host key"))
                #expect((byPersonality["sudo-password"]?["reason"] as? String ?? "").contains("sudo asks"))
                #expect((byPersonality["conflict-include"]?["reason"] as? String ?? "").contains("sshd_config.d"))
                // Scripts read the same situations by code.
                let codes = ["hostkey-changed": "host_key_changed", "sudo-password": "sudo_needs_password", "conflict-include": "foreign_command",
                             "unreachable": "ssh_unreachable", "al2023": "configured", "rhel-9": "package_missing"]
                for (personality, code) in codes {
                    #expect(byPersonality[personality]?["reason_code"] as? String == code, "\(personality): \(byPersonality[personality] ?? [:])")
                }
                #expect((byPersonality["rhel-9"]?["after"] as? String ?? "").contains("AWS's EL9 RPM"), "\(byPersonality["rhel-9"] ?? [:])")
                #expect((byPersonality["rhel-8"]?["after"] as? String ?? "").contains("AWS's EL8 RPM"), "\(byPersonality["rhel-8"] ?? [:])")
                let kinds = actions.map { "\($0["kind"] as? String ?? "")/\($0["action"] as? String ?? "")" }
                #expect(kinds.contains("iam_policy/create"))
                #expect(kinds.contains("iam_attachment/create"))
                #expect(kinds.filter { $0 == "security_group_rule/create" }.count >= 2)
                let summary = try #require(document["summary"] as? [String: Int])
                #expect(summary["add"] == actions.filter { $0["action"] as? String == "create" }.count)
                #expect(summary["change"] == actions.filter { $0["action"] as? String == "update" }.count)
                #expect(summary["conflict"] == 2 && summary["unreachable"] == 2 && summary["skip"] == 1)
                #expect(try Self.instanceTrees(fixture.state) == treesBefore, "plan changed a file on an instance")
                let planCalls = try await Self.calls(fixture.state)
                #expect(planCalls.mutating == 0, "plan made mutating AWS calls: \(planCalls.byAction)")
                #expect(Self.packageCommands(fixture.state) == 0)

                // 2. apply: exit 1 (the unfixable hosts), every other host configured.
                let apply = try await CLIRunner.run(["apply", Self.playbook, "--auto-approve"], environment: env)
                #expect(apply.status == 1, "\(apply.stdout)\n\(apply.stderr)")
                #expect(apply.stdout.contains("Apply complete!"), "\(apply.stdout)")
                let treesAfter = try Self.instanceTrees(fixture.state)
                for personality in ["conflict-sshd-config", "conflict-include", "sudo-password", "unreachable", "hostkey-changed"] {
                    let id = try #require(fixture.instance(personality)).instanceId
                    #expect(treesAfter[id] == treesBefore[id], "apply touched \(personality)")
                }

                // 3. plan again: only the unfixable hosts remain; no changes pending.
                let again = try await CLIRunner.run(["plan", Self.playbook, "--json", "--detailed-exitcode"], environment: env)
                #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
                let remaining = try #require(try Self.object(again.stdout)["actions"] as? [[String: Any]])
                    .filter { $0["action"] as? String != "no-op" }
                #expect(remaining.count == 5 && remaining.allSatisfy { ["conflict", "unreachable", "skip"].contains($0["action"] as? String ?? "") })

                // 4. a second apply makes no mutating AWS call and runs no package command (the peers say so).
                let commandsAfterApply = Self.packageCommands(fixture.state)
                #expect(commandsAfterApply >= 7, "the sandbox logged \(commandsAfterApply) package commands for 7 installs and upgrades")
                try await Self.resetCalls(fixture.state)
                let second = try await CLIRunner.run(["apply", Self.playbook, "--auto-approve"], environment: env)
                #expect(second.stdout.contains("No changes."), "\(second.stdout)")
                #expect(try Self.instanceTrees(fixture.state) == treesAfter, "the second apply changed a host")
                let secondCalls = try await Self.calls(fixture.state)
                #expect(secondCalls.mutating == 0, "\(secondCalls.byAction)")
                #expect(secondCalls.total > 0, "the accounting saw no call at all")
                #expect(Self.packageCommands(fixture.state) == commandsAfterApply)

                // 5. eic-user pushes a key with the AWS API and OpenSSH logs in on every configured host.
                try await Self.expectEICLogins(fixture, personalities: ["al2-old", "ubuntu-16.04", "ubuntu-18.04", "al2-pkg-1.1-12",
                                                                        "al2-current", "ubuntu-20.04", "ubuntu-22.04",
                                                                        "al2023", "al2023-minimal", "ubuntu-24.04", "rhel-9", "rhel-8"])

                // 6. eicsetup verify as eic-user: every configured host passes, every other one is diagnosed.
                let verify = try await CLIRunner.run(["verify", Self.playbook, "--json", "--iam-wait", "5"],
                                                     environment: Self.environment(fixture.state, asEICUser: true))
                #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
                try await Self.validate(verify.stdout, schema: "schema/verify.schema.json")
                let hosts = try #require(try Self.object(verify.stdout)["hosts"] as? [[String: Any]])
                var verdicts: [String: String] = [:]
                for host in hosts {
                    if let id = host["instance_id"] as? String, let personality = personalityOf[id] {
                        verdicts[personality] = (host["result"] as? String == "ok") ? "ok" : (host["diagnosis"] as? String ?? "?")
                    }
                }
                let diagnoses: [String: String] = [
                    "al2-old": "ok", "ubuntu-16.04": "ok", "ubuntu-18.04": "ok", "al2-pkg-1.1-12": "ok", "al2-current": "ok", "ubuntu-20.04": "ok",
                    "ubuntu-22.04": "ok", "conflict-sshd-config": "eic-not-configured", "conflict-include": "eic-not-configured",
                    "unreachable": "unreachable", "hostkey-changed": "host-key-mismatch", "sudo-password": "eic-not-configured",
                    "al2023": "ok", "al2023-minimal": "ok", "ubuntu-24.04": "ok", "rhel-9": "ok", "rhel-8": "ok",
                ]
                #expect(verdicts == diagnoses, "\(verify.stdout)")
            }
        }
    }

    @Test func aSavedPlanIsRefusedWhenTheFleetMovedSinceAndChangesNothing() async throws {
        do {
            try await SandboxFixture.with(["al2-old", "al2-current"], subnet: 61) { fixture in
                let env = Self.environment(fixture.state)
                let saved = NSTemporaryDirectory() + "eic-saved-\(UUID().uuidString.prefix(8)).json"
                defer { try? FileManager.default.removeItem(atPath: saved) }
                let plan = try await CLIRunner.run(["plan", Self.playbook, "--out", saved], environment: env)
                #expect(plan.status == 0, "\(plan.stderr)")
                let mode = try FileManager.default.attributesOfItem(atPath: saved)[.posixPermissions] as? Int
                #expect(mode == 0o600)
                #expect(!(try String(contentsOfFile: saved, encoding: .utf8)).contains(fixture.state.admin.secretAccessKey))

                // Out of band, someone opens tcp/22 from elsewhere with the AWS CLI.
                let ec2 = EC2Client(client: fixture.client())
                let cli = try await Subprocess.run(RepositoryPaths.root.appendingPathComponent(".venv/bin/aws").path, [
                    "ec2", "authorize-security-group-ingress", "--group-id", fixture.state.securityGroupId,
                    "--protocol", "tcp", "--port", "22", "--cidr", "198.51.100.0/24"], environment: env)
                #expect(cli.status == 0, "\(cli.stderr)")
                let rulesBefore = try await ec2.describeSecurityGroupRules(groupIds: [fixture.state.securityGroupId]).count
                let trees = try Self.instanceTrees(fixture.state)

                let apply = try await CLIRunner.run(["apply", saved, "--auto-approve"], environment: env)
                #expect(apply.status == 1)
                #expect(apply.stderr.contains("security_group[\(fixture.state.securityGroupId)]"), "\(apply.stderr)")
                #expect(apply.stderr.contains("Nothing was changed"))
                #expect(try await ec2.describeSecurityGroupRules(groupIds: [fixture.state.securityGroupId]).count == rulesBefore)
                #expect(try Self.instanceTrees(fixture.state) == trees)
                let policy = try await IAMClient(client: fixture.client()).listAttachedPolicies(of: .user, name: "eic-user")
                #expect(policy.isEmpty)

                // A plan naming a group that does not exist stops at the plan, naming it, before any change.
                let missing = "sg-00000000000000bad"
                let missingPlan = NSTemporaryDirectory() + "eic-missing-sg-\(UUID().uuidString.prefix(8)).json"
                defer { try? FileManager.default.removeItem(atPath: missingPlan) }
                try #"{"version": 1, "region": "us-east-1", "securityGroups": [{"groupId": "\#(missing)", "ingress": [{"port": 22, "cidr": "10.0.0.0/8"}]}]}"#
                    .write(toFile: missingPlan, atomically: true, encoding: .utf8)
                try await Self.resetCalls(fixture.state)
                let refused = try await CLIRunner.run(["apply", missingPlan, "--auto-approve"], environment: env)
                #expect(refused.status == 1, "\(refused.stdout)")
                #expect(refused.stderr.contains("DescribeSecurityGroups") && refused.stderr.contains(missing), "\(refused.stderr)")
                #expect(try await Self.calls(fixture.state).mutating == 0)
            }
        }
    }

    // MARK: helpers

    static func environment(_ state: SandboxState, asEICUser: Bool = false) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for (name, value) in Sandbox.environment(state, asEICUser: asEICUser) { env[name] = value }
        // What `sandbox env` unsets: nothing of the caller's own AWS profile or session may leak in.
        env["AWS_PROFILE"] = nil
        env["AWS_SESSION_TOKEN"] = nil
        env["SSH_AUTH_SOCK"] = nil
        env["NO_COLOR"] = "1"
        return env
    }

    /// What the sandbox's AWS says it served since the last reset (GET /_sandbox/calls).
    static func calls(_ state: SandboxState) async throws -> (total: Int, mutating: Int, byAction: [String: Int]) {
        let url = try #require(URL(string: state.endpoint + "/_sandbox/calls"))
        let answer = try await SocketHTTPTransport().send(HTTPRequest(method: "GET", url: url))
        let document = try object(String(decoding: answer.body, as: UTF8.self))
        return (document["total"] as? Int ?? -1, document["mutating"] as? Int ?? -1, document["by_action"] as? [String: Int] ?? [:])
    }

    static func resetCalls(_ state: SandboxState) async throws {
        let url = try #require(URL(string: state.endpoint + "/_sandbox/calls/reset"))
        _ = try await SocketHTTPTransport().send(HTTPRequest(method: "POST", url: url))
    }

    /// Mutating package-manager commands the fleet's stand-ins logged (run/package-commands.log).
    static func packageCommands(_ state: SandboxState) -> Int {
        state.instances.reduce(0) { count, instance in
            let log = (try? String(contentsOfFile: instance.rootDirectory + "/run/package-commands.log", encoding: .utf8)) ?? ""
            return count + log.split(separator: "\n").count
        }
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Validates `json` with the jsonschema package of the project's virtualenv.
    static func validate(_ json: String, schema: String) async throws {
        let file = NSTemporaryDirectory() + "eic-doc-\(UUID().uuidString.prefix(8)).json"
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try await Subprocess.run(RepositoryPaths.python, [
            "-c", "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))",
            file, RepositoryPaths.root.appendingPathComponent(schema).path])
        #expect(result.status == 0, "\(json.prefix(400)) does not match \(schema): \(result.stderr.suffix(600))")
    }

    /// instance id → a digest of every file of that instance (logs and pid files aside).
    static func instanceTrees(_ state: SandboxState) throws -> [String: String] {
        var trees: [String: String] = [:]
        for instance in state.instances {
            var parts: [String] = []
            let root = instance.rootDirectory
            let enumerator = FileManager.default.enumerator(atPath: root)
            while let relative = enumerator?.nextObject() as? String {
                if relative.hasSuffix(".log") || relative.hasSuffix(".pid") { continue }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue,
                      let data = FileManager.default.contents(atPath: root + "/" + relative) else { continue }
                parts.append("\(relative):\(data.count):\(data.hashValue)")
            }
            trees[instance.instanceId] = parts.sorted().joined(separator: "\n")
        }
        return trees
    }

    static func expectEICLogins(_ fixture: SandboxFixture, personalities: [String]) async throws {
        let directory = NSTemporaryDirectory() + "eic-login-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (key, publicKey) = try await OpenSSH.generateKey(in: directory, name: "eic")
        // The AWS CLI pushes, as eic-user: real clients on both sides, not eicsetup.
        let environment = Self.environment(fixture.state, asEICUser: true)
        try publicKey.write(toFile: directory + "/eic.pub", atomically: true, encoding: .utf8)
        for personality in personalities {
            let instance = try #require(fixture.instance(personality))
            let push = try await Subprocess.run(RepositoryPaths.root.appendingPathComponent(".venv/bin/aws").path, [
                "ec2-instance-connect", "send-ssh-public-key", "--instance-id", instance.instanceId,
                "--instance-os-user", instance.loginUser, "--ssh-public-key", "file://\(directory)/eic.pub"], environment: environment)
            #expect(push.status == 0, "\(personality): \(push.stderr)")
            let login = try await OpenSSH.run(user: instance.loginUser, host: instance.ipAddress, key: key,
                                              knownHosts: fixture.state.knownHostsPath, command: "id -un")
            #expect(login.status == 0 && login.stdout.contains(instance.loginUser), "\(personality): \(login.stderr)")
        }
    }
}
