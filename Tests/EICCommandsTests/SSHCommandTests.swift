import EICAWS
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// `eicsetup ssh` run as a process, as eic-user, against sandbox instances (moto + real OpenSSH sshd's).
@Suite struct SSHCommandTests {
    /// Lets eic-user push keys to `instanceIds` for `osUsers`, and describe instances and images.
    static func grant(_ fixture: SandboxFixture, name: String, instanceIds: [String], osUsers: [String]) async throws {
        let resources = instanceIds.map { "\"arn:aws:ec2:\(fixture.state.region):\(fixture.state.accountId):instance/\($0)\"" }
        let users = osUsers.map { "\"\($0)\"" }.joined(separator: ",")
        let document = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2-instance-connect:SendSSHPublicKey","#
            + #""Resource":[\#(resources.joined(separator: ","))],"Condition":{"StringEquals":{"ec2:osuser":[\#(users)]}}},"#
            + #"{"Effect":"Allow","Action":["ec2:DescribeInstances","ec2:DescribeImages"],"Resource":"*"}]}"#
        let iam = IAMClient(client: fixture.client())
        let policy = try await iam.createPolicy(name: name, document: document)
        try await iam.attachPolicy(arn: policy.arn, to: .user, name: "eic-user")
    }

    /// A private HOME (and TMPDIR inside it) for one run, so what the command leaves on disk can be inspected.
    static func scratch(_ name: String) throws -> String {
        let directory = NSTemporaryDirectory() + "eic-ssh-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        return directory
    }

    /// eic-user's environment: credentials, region and endpoint of the sandbox, nothing from the caller's AWS setup.
    static func environment(_ fixture: SandboxFixture, home: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        env["SSH_AUTH_SOCK"] = nil
        let credentials = fixture.state.credentials(asEICUser: true)
        env["AWS_ACCESS_KEY_ID"] = credentials.accessKeyId
        env["AWS_SECRET_ACCESS_KEY"] = credentials.secretAccessKey
        env["AWS_REGION"] = fixture.state.region
        env["AWS_ENDPOINT_URL"] = fixture.state.endpoint
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        env["HOME"] = home
        env["TMPDIR"] = home + "/tmp"
        return env
    }

    static func ssh(_ fixture: SandboxFixture, home: String, _ arguments: [String], knownHosts: String? = nil) async throws -> CLIRunner.Output {
        try await CLIRunner.run(["ssh", "--known-hosts", knownHosts ?? fixture.state.knownHostsPath] + arguments,
                                environment: environment(fixture, home: home))
    }

    @Test func runsCommandsAsThePushedKeyAndExitsWithTheirStatus() async throws {
        try await SandboxFixture.with(["al2-current", "ubuntu-22.04"], subnet: 131) { fixture in
            let al2 = try #require(fixture.instance("al2-current"))
            let ubuntu = try #require(fixture.instance("ubuntu-22.04"))
            let home = try Self.scratch("run")
            defer { try? FileManager.default.removeItem(atPath: home) }
            try await Self.grant(fixture, name: "eic-ssh-run", instanceIds: [al2.instanceId, ubuntu.instanceId],
                                 osUsers: ["ec2-user", "ubuntu"])

            let hello = try await Self.ssh(fixture, home: home, ["ec2-user@\(al2.instanceId)", "--", "echo", "hello"])
            #expect(hello.status == 0, "stderr: \(hello.stderr)")
            #expect(hello.stdout == "hello\n")
            #expect(hello.stderr.isEmpty, "nothing but the command's output: \(hello.stderr)")

            let seven = try await Self.ssh(fixture, home: home, ["ec2-user@\(al2.instanceId)", "--", "sh", "-c", "exit 7"])
            #expect(seven.status == 7, "stderr: \(seven.stderr)")

            // `… -- yes | head -c 10`: when the reader goes away, exit 255 at once, like OpenSSH (before, it
            // read `yes` forever). `timeout` turns the old behaviour into status 124 instead of a hang.
            let pipeline = #"timeout 60 "$0" ssh --known-hosts "$1" "ec2-user@$2" -- yes | head -c 10; echo " left=${PIPESTATUS[0]}""#
            let piped = try await Subprocess.run("/bin/bash", ["-c", pipeline, RepositoryPaths.eicsetupBinary,
                                                               fixture.state.knownHostsPath, al2.instanceId],
                                                 environment: Self.environment(fixture, home: home))
            #expect(piped.stdout == "y\ny\ny\ny\ny\n left=255\n", "stderr: \(piped.stderr)")

            // Streams stay apart; every argument arrives as one word, nothing is expanded locally or remotely.
            let words = ["a b", "$HOME", "it's", "*", ""]
            let quoted = try await Self.ssh(fixture, home: home, [al2.instanceId, "--", "printf", "[%s]\\n"] + words)
            #expect(quoted.status == 0, "stderr: \(quoted.stderr)")
            #expect(quoted.stdout == words.map { "[\($0)]\n" }.joined())
            let streams = try await Self.ssh(fixture, home: home, [al2.instanceId, "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(streams.stdout == "out\n")
            #expect(streams.stderr == "err\n")
            #expect(streams.status == 3)

            // No USER@: the AMI says Ubuntu (DescribeImages), so the user is ubuntu; -v tells the steps.
            let auto = try await Self.ssh(fixture, home: home, ["-v", ubuntu.instanceId, "--", "id", "-un"])
            #expect(auto.status == 0, "stderr: \(auto.stderr)")
            #expect(auto.stdout == "ubuntu\n")
            #expect(auto.stderr.contains("address \(ubuntu.ipAddress), user ubuntu"), "\(auto.stderr)")
            #expect(auto.stderr.contains("pushed the key for ubuntu on \(ubuntu.instanceId)"))

            // --address with USER@ skips EC2 entirely; -t without a terminal says so and runs the command anyway.
            let direct = try await Self.ssh(fixture, home: home, ["-t", "--address", al2.ipAddress, "ec2-user@\(al2.instanceId)",
                                                                  "--", "echo", "direct"])
            #expect(direct.status == 0, "\(direct.stderr)")
            #expect(direct.stdout == "direct\n")
            #expect(direct.stderr.contains("Pseudo-terminal will not be allocated because stdin is not a terminal."))

            // The sandbox's private IP is the only one: --public-ip must say so instead of guessing.
            let noPublic = try await Self.ssh(fixture, home: home, ["--public-ip", al2.instanceId, "--", "true"])
            #expect(noPublic.status == 255)
            #expect(noPublic.stderr.contains("has no public IP"))
            #expect(!noPublic.all.contains(fixture.state.eicUser.secretAccessKey))
        }
    }

    @Test func accessDeniedSaysWhoMayNotPushAndConnectsNowhere() async throws {
        try await SandboxFixture.with(["al2-current", "al2-current"], subnet: 133) { fixture in
            let allowed = try #require(fixture.instance("al2-current"))
            let other = try #require(fixture.instance("al2-current", index: 1))
            let home = try Self.scratch("denied")
            defer { try? FileManager.default.removeItem(atPath: home) }
            let knownHosts = home + "/known_hosts"
            FileManager.default.createFile(atPath: knownHosts, contents: Data())
            let sshdLog = other.rootDirectory + "/run/sshd.log"
            let logBefore = (try? String(contentsOfFile: sshdLog, encoding: .utf8)) ?? ""

            // No policy at all; --address and USER@ need no EC2 call, so the push is the first thing refused.
            let none = try await Self.ssh(fixture, home: home, ["ec2-user@\(other.instanceId)", "--address", other.ipAddress,
                                                                "--host-keys", "accept-new"], knownHosts: knownHosts)
            #expect(none.status == 255)
            #expect(none.stderr.contains("eic-user is not allowed to push a key to \(other.instanceId) as ec2-user: "),
                    "\(none.stderr)")
            #expect(none.stderr.contains("No connection was attempted"))

            // A policy for another instance only.
            try await Self.grant(fixture, name: "eic-ssh-one", instanceIds: [allowed.instanceId], osUsers: ["ec2-user"])
            let outside = try await Self.ssh(fixture, home: home, ["ec2-user@\(other.instanceId)", "--host-keys", "accept-new",
                                                                   "--", "echo", "reached"], knownHosts: knownHosts)
            #expect(outside.status == 255)
            #expect(!outside.stdout.contains("reached"))
            #expect(outside.stderr.contains("eic-user is not allowed to push a key to \(other.instanceId) as ec2-user: "))
            #expect(outside.stderr.contains("AccessDenied") || outside.stderr.contains("not authorized"))
            let wrongUser = try await Self.ssh(fixture, home: home, ["root@\(allowed.instanceId)", "--host-keys", "accept-new",
                                                                     "--", "true"], knownHosts: knownHosts)
            #expect(wrongUser.stderr.contains("not allowed to push a key to \(allowed.instanceId) as root"), "ec2:osuser")

            // No connection: accept-new would have recorded the host key, and sshd would have logged it.
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).isEmpty, "a denied login must not reach the host")
            // The sandbox's own readiness probe (a bare TCP connect at start-up) may be logged late; any SSH
            // client gets further (version exchange, then "[preauth]" or "Accepted" lines).
            let logAfter = (try? String(contentsOfFile: sshdLog, encoding: .utf8)) ?? ""
            let sshLines = logAfter.dropFirst(logBefore.count).split(separator: "\n").filter {
                !$0.hasPrefix("kex_exchange_identification:") && $0.firstMatch(of: #/^Connection closed by [0-9.]+ port [0-9]+$/#) == nil
            }
            #expect(sshLines.isEmpty, "sshd saw an SSH connection: \(sshLines)")

            // The allowed pair still works, and accept-new records the key this time.
            let ok = try await Self.ssh(fixture, home: home, ["ec2-user@\(allowed.instanceId)", "--host-keys", "accept-new",
                                                              "--", "echo", "reached"], knownHosts: knownHosts)
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(ok.stdout == "reached\n")
            #expect(ok.stderr.contains("Permanently added '\(allowed.ipAddress)'"))
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).hasPrefix(allowed.ipAddress + " ssh-ed25519 "))
            let allowedLog = try String(contentsOfFile: allowed.rootDirectory + "/run/sshd.log", encoding: .utf8)
            #expect(allowedLog.contains("Accepted publickey for ec2-user"), "sshd logs the logins it sees: \(allowedLog)")
        }
    }
}
