import EICTestSupport
import Foundation
import EICCore
import EICSandbox
import Testing

/// `eicsetup validate` and `init` as processes: every problem named by its JSON path, exit 1, no crash.
@Suite struct ValidateCommandTests {
    static func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "eic-validate-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func validate(_ text: String, in directory: String, environment extra: [String: String] = [:]) async throws -> CLIRunner.Output {
        let path = directory + "/plan.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["SSH_AUTH_SOCK"] = nil
        for (key, value) in extra { environment[key] = value }
        return try await CLIRunner.run(["validate", path], environment: environment)
    }

    @Test func malformedPlansGetAPathNamedErrorEachAndExitOne() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = directory + "/fleet.pem"
        _ = FileManager.default.createFile(atPath: key, contents: Data("key".utf8), attributes: [.posixPermissions: 0o600])
        _ = FileManager.default.createFile(atPath: directory + "/known_hosts", contents: Data())
        let cases: [(String, [String])] = [
            (#"{"version": 1, "instances": {"select": {"tags": {"Team": "web"}}, "ssh": {"hostKeys": "yes", "identityFile": "KEY", "knownHosts": "KH"}}}"#,
             [#"instances.ssh.hostKeys: "yes" is not one of strict, accept-new"#]),
            (#"{"version": 1, "instances": {"select": {"tags": {"Team": "web"}}, "ssh": {"user": "ec2-user; rm -rf /", "identityFile": "KEY", "knownHosts": "KH"}}}"#,
             ["instances.ssh.user:", "not a valid OS user name"]),
            (#"{"version": 1, "securityGroups": [{"groupId": "sg-0123456789abcdef0", "ingress": [{"port": 70000, "cidr": "10.0.0.1/24"}]}]}"#,
             ["securityGroups[0].ingress[0].port: 70000 is not a TCP port", "securityGroups[0].ingress[0].cidr:", "write 10.0.0.0/24"]),
            (#"{"version": 1, "iam": {"policies": [{"name": "p", "allow": {"instances": "selected", "osUsers": ["$(id)"]}}]}}"#,
             ["iam.policies[0].allow.osUsers[0]:", "1 problem:"]),
            (#"{"version": 1, "instances": {"select": {"tags": {"Team": "web"}}, "ssh": {"identityFile": "${EIC_TEST_UNSET_VARIABLE}", "knownHosts": "KH"}}}"#,
             ["instances.ssh.identityFile: ${EIC_TEST_UNSET_VARIABLE} is not set in the environment"]),
            (#"{"version": 1, "securityGroups": [], "instancez": {}}"#, ["instancez: unknown key"]),
            ("{\"version\": 1,\n  \"region\": \"us-east-1\",,\n}", ["not valid JSON at line 2"]),
        ]
        for (text, expected) in cases {
            let plan = text.replacingOccurrences(of: "\"KEY\"", with: "\"\(key)\"").replacingOccurrences(of: "\"KH\"", with: "\"\(directory)/known_hosts\"")
            let result = try await Self.validate(plan, in: directory)
            #expect(result.status == 1, "\(text): \(result.stdout)\(result.stderr)")
            for fragment in expected { #expect(result.stderr.contains(fragment), "\(text): \(result.stderr)") }
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrace"))
        }
        let good = #"{"version": 1, "instances": {"select": {"tags": {"Team": "web"}}, "ssh": {"identityFile": "${FLEET_KEY}", "knownHosts": "KH"}}}"#
            .replacingOccurrences(of: "\"KH\"", with: "\"\(directory)/known_hosts\"")
        let ok = try await Self.validate(good, in: directory, environment: ["FLEET_KEY": key])
        #expect(ok.status == 0 && ok.stdout.contains("is a valid plan"), "\(ok.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let loose = try await Self.validate(good, in: directory, environment: ["FLEET_KEY": key])
        #expect(loose.status == 1 && loose.stderr.contains("chmod 600"), "\(loose.stderr)")
    }

    @Test func initWritesAPlaybookAndNeverOverwrites() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/fleet.json"
        let first = try await CLIRunner.run(["init", "--template", "mixed-fleet-by-ids", "--output", output], environment: ProcessInfo.processInfo.environment)
        #expect(first.status == 0, "\(first.stderr)")
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written.contains("EC2InstanceConnect-mixed"))
        let again = try await CLIRunner.run(["init", "--output", output], environment: ProcessInfo.processInfo.environment)
        #expect(again.status != 0 && again.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: output, encoding: .utf8) == written)
        let unknown = try await CLIRunner.run(["init", "--template", "nope", "--output", directory + "/x.json"], environment: ProcessInfo.processInfo.environment)
        #expect(unknown.status != 0 && unknown.stderr.contains("al2-fleet-by-tag"))
    }
}

/// schema/plan.schema.json and the decoder agree: every playbook passes both, and plans the decoder
/// refuses for their shape (unknown keys, wrong types, enums) are refused by the schema too.
@Suite struct PlanSchemaTests {
    static func schemaAccepts(_ plan: String) async throws -> Bool {
        let file = NSTemporaryDirectory() + "eic-schema-\(UUID().uuidString.prefix(8)).json"
        try plan.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try await Subprocess.run(RepositoryPaths.python, [
            "-c", "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))",
            file, RepositoryPaths.root.appendingPathComponent("schema/plan.schema.json").path])
        return result.status == 0
    }

    @Test func schemaAndDecoderAgree() async throws {
        let playbooks = try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.root.appendingPathComponent("playbooks").path)
            .filter { $0.hasSuffix(".json") }
        #expect(playbooks.count >= 3)
        for name in playbooks {
            let text = try String(contentsOfFile: RepositoryPaths.root.appendingPathComponent("playbooks/\(name)").path, encoding: .utf8)
            #expect(try await Self.schemaAccepts(text), "\(name) does not match schema/plan.schema.json")
        }
        let refusedByBoth = [
            #"{"version": 1, "instancez": {}}"#,
            #"{"version": 2}"#,
            #"{"version": 1, "instances": {"select": {"tags": {"A": "b"}}, "ssh": {"hostKeys": "yes"}}}"#,
            #"{"version": 1, "instances": {"select": {"tags": {"A": "b"}}, "ssh": {"port": "22"}}}"#,
            #"{"version": 1, "securityGroups": [{"groupId": "sg-0123456789abcdef0", "ingress": [{"port": 22, "cidr": "10.0.0.0/8", "prefixList": "pl-12345678"}]}]}"#,
            #"{"version": 1, "iam": {"policies": [{"name": "p", "allow": {"instances": "all", "osUsers": ["ec2-user"]}}]}}"#,
            #"{"version": 1, "iam": {"attachments": [{"policy": "p", "people": ["x"]}]}}"#,
        ]
        for plan in refusedByBoth {
            #expect(!(try await Self.schemaAccepts(plan)), "the schema accepts \(plan)")
            #expect(throws: PlanError.self, "the decoder accepts \(plan)") { try PlanDecoder(environment: [:]).decode(plan, file: "p.json") }
        }
    }
}
