import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// Issue 8, defects 10 and 11: every --json document matches its schema in schema/ (one key style),
/// errors under --json are JSON on stderr, completion offers fixed values, -v logs each AWS call.
@Suite struct JSONOutputTests {
    /// Validates `document` against schema/NAME.schema.json with the jsonschema package of .venv.
    static func validate(_ document: String, schema name: String) async throws {
        let directory = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                                    appropriateFor: URL(fileURLWithPath: "/tmp"), create: true).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try document.write(toFile: directory + "/document.json", atomically: true, encoding: .utf8)
        let schema = RepositoryPaths.root.appendingPathComponent("schema/\(name).schema.json").path
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft202012Validator)
        """
        let result = try await Subprocess.run(RepositoryPaths.python, ["-c", script, schema, directory + "/document.json"])
        #expect(result.status == 0, "\(name): \(result.stderr.suffix(600))\n\(document)")
    }

    /// Every key of every object in `document`, recursively.
    static func keys(_ value: Any) -> [String] {
        if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
        if let array = value as? [Any] { return array.flatMap(keys) }
        return []
    }

    static func expectSnakeCase(_ document: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(document.utf8))
        for key in keys(value) {
            #expect(key.range(of: "^[a-z0-9]+(_[a-z0-9]+)*$", options: .regularExpression) != nil, "key '\(key)'")
        }
    }

    @Test func whoamiMatchesItsSchemaAndVerboseLogsEachCall() async throws {
        let peer = try await MotoPeer.shared()
        let environment = peer.environment(extra: [
            "AWS_ACCESS_KEY_ID": peer.admin.accessKeyId, "AWS_SECRET_ACCESS_KEY": peer.admin.secretAccessKey,
            "AWS_REGION": "us-east-1",
        ])
        let output = try await CLIRunner.run(["whoami", "--endpoint-url", peer.endpoint, "--json", "-v"], environment: environment)
        #expect(output.status == 0, "\(output.stderr)")
        try await Self.validate(output.stdout, schema: "whoami")
        try Self.expectSnakeCase(output.stdout)
        // -v: service, operation, status, attempt, duration; never a secret or signature; no colour into a file.
        let line = try #require(output.stderr.split(separator: "\n").first { $0.hasPrefix("aws: ") }, "\(output.stderr)")
        #expect(line.range(of: #"^aws: sts GetCallerIdentity HTTP 200 \(attempt 1, [0-9]+ ms"#, options: .regularExpression) != nil,
                "\(line)")
        #expect(!output.all.contains(peer.admin.secretAccessKey))
        #expect(!output.stderr.contains("Signature") && !output.stderr.contains("\u{1B}["))

        let quiet = try await CLIRunner.run(["whoami", "--endpoint-url", peer.endpoint], environment: environment)
        #expect(!quiet.stderr.contains("aws: "), "without -v nothing is logged")
    }

    /// On a terminal -v colours its status; --no-color and NO_COLOR turn that off. No peer needed: the
    /// refused connection to 127.0.0.1:9 is logged too.
    @Test func colourOnlyOnATerminalAndNeverWithNoColor() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil  // the caller's own setting must not decide the "colour on" case
        environment.merge(["AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00", "AWS_SECRET_ACCESS_KEY": "not-shown",
                           "AWS_REGION": "us-east-1", "TERM": "xterm", "AWS_MAX_ATTEMPTS": "1",
                           "AWS_EC2_METADATA_DISABLED": "true"]) { $1 }
        func onTerminal(_ extra: String, _ variables: [String: String] = [:]) async throws -> String {
            // script(1) gives the command a pseudo-terminal, as a user's shell would.
            let command = "\(RepositoryPaths.eicsetupBinary) whoami -v \(extra) --endpoint-url http://127.0.0.1:9"
            return try await Subprocess.run("/usr/bin/script", ["-qec", command, "/dev/null"],
                                            environment: environment.merging(variables) { $1 }).stdout
        }
        let coloured = try await onTerminal("")
        #expect(coloured.contains("aws:") && coloured.contains("\u{1B}[31mno answer TransportError"), "\(coloured)")
        let flag = try await onTerminal("--no-color")
        #expect(flag.contains("aws:") && !flag.contains("\u{1B}["), "\(flag)")
        let variable = try await onTerminal("", ["NO_COLOR": "1"])
        #expect(variable.contains("aws:") && !variable.contains("\u{1B}["), "\(variable)")
    }

    @Test func errorsUnderJSONAreAJSONObjectOnStderr() async throws {
        let environment = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"]
        let cases: [([String], Int32, String)] = [
            (["whoami", "--json", "--endpoint-url", ""], 64, "usage"),
            (["whoami", "--json", "--no-such-option"], 64, "usage"),
            (["sandbox", "status", "--json", "--state-dir", "/nonexistent/sandbox"], 1, "sandbox"),
            (["inspect", "--json", "--host", "127.0.0.1", "--port", "1", "--user", "ec2-user", "--identity-file", "/dev/null"],
             1, "ssh"),
            (["whoami", "--json", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"], 1, "aws"),
        ]
        for (arguments, status, kind) in cases {
            let output = try await CLIRunner.run(arguments, environment: environment)
            #expect(output.status == status, "\(arguments): \(output.all)")
            #expect(output.stdout.isEmpty, "\(arguments): \(output.stdout)")
            try await Self.validate(output.stderr, schema: "error")
            let document = try JSONSerialization.jsonObject(with: Data(output.stderr.utf8)) as? [String: Any]
            let error = document?["error"] as? [String: Any]
            #expect(error?["kind"] as? String == kind, "\(arguments): \(output.stderr)")
            #expect((error?["exit_code"] as? Int).map(Int32.init) == status)
        }
        let text = try await CLIRunner.run(["sandbox", "status", "--state-dir", "/nonexistent/sandbox"], environment: environment)
        #expect(text.stderr.hasPrefix("Error: no sandbox is up"), "without --json the error stays text")
    }

    @Test func sandboxStatusAndInspectMatchTheirSchemas() async throws {
        try await SandboxFixture.with(["conflict-include", "unreachable"], subnet: 53) { fixture in
            var environment = ProcessInfo.processInfo.environment
            environment["EICSETUP_HOME"] = RepositoryPaths.root.path
            let status = try await CLIRunner.run(["sandbox", "status", "--json", "--state-dir", fixture.state.stateDirectory],
                                                 environment: environment)
            #expect(status.status == 0, "\(status.stderr)")
            try await Self.validate(status.stdout, schema: "sandbox-status")
            try Self.expectSnakeCase(status.stdout)

            let instance = try #require(fixture.instance("conflict-include"))
            let inspect = try await CLIRunner.run([
                "inspect", "--json", "--host", instance.ipAddress, "--user", instance.loginUser,
                "--identity-file", fixture.state.fleetKeyPath, "--known-hosts", fixture.state.knownHostsPath,
            ], environment: environment)
            #expect(inspect.status == 0, "\(inspect.stderr)")
            try await Self.validate(inspect.stdout, schema: "inspect")
            try Self.expectSnakeCase(inspect.stdout)
        }
    }

    @Test func completionOffersTheFixedValues() async throws {
        let output = try await CLIRunner.run(["--generate-completion-script", "bash"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(output.stdout.contains("'strict'$'\\n''accept-new'"), "--host-keys")
        #expect(output.stdout.contains("'default'$'\\n''healthy'$'\\n''installable'$'\\n''preconfigured'"), "--mix")
        #expect(output.stdout.contains("'admin'$'\\n''eic-user'"), "--as")
    }
}
