import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// `eicsetup inspect` run as a process against sandbox instances (real OpenSSH 9.2 sshd's).
@Suite struct InspectCommandTests {
    static func keygen(_ arguments: [String]) async throws {
        let result = try await OpenSSH.exec(["/usr/bin/ssh-keygen", "-q"] + arguments)
        guard result.status == 0 else { throw PeerError("ssh-keygen \(arguments): \(result.stderr)") }
    }

    static func inspect(_ fixture: SandboxFixture, _ ip: String, user: String, extra: [String],
                        environment: [String: String] = [:], knownHosts: String? = nil) async throws -> CLIRunner.Output {
        var env = ProcessInfo.processInfo.environment
        env["SSH_AUTH_SOCK"] = nil
        for (key, value) in environment { env[key] = value }
        return try await CLIRunner.run(["inspect", "--host", ip, "--user", user,
                                  "--known-hosts", knownHosts ?? fixture.state.knownHostsPath] + extra, environment: env)
    }

    @Test func logsInWithEveryKindOfKeyPeopleHave() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 45) { fixture in
            let instance = try #require(fixture.instance("al2-current"))
            let keys = NSTemporaryDirectory() + "eic-inspect-keys-\(UUID().uuidString.prefix(6))"
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: keys) }
            try await Self.keygen(["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", keys + "/rsa2048.pem"])
            try await Self.keygen(["-t", "rsa", "-b", "4096", "-N", "", "-f", keys + "/rsa4096"])
            try await Self.keygen(["-t", "ed25519", "-N", "", "-f", keys + "/ed25519"])
            try await Self.keygen(["-t", "ecdsa", "-b", "256", "-N", "", "-f", keys + "/ecdsa"])
            try await Self.keygen(["-t", "ed25519", "-N", "s3cret passphrase", "-f", keys + "/ed25519-pass"])
            try await Self.keygen(["-t", "ed25519", "-N", "", "-f", keys + "/agent"])
            let publicKeys = try ["rsa2048.pem", "rsa4096", "ed25519", "ecdsa", "ed25519-pass", "agent"]
                .map { try String(contentsOfFile: "\(keys)/\($0).pub", encoding: .utf8) }.joined()
            let add = try await OpenSSH.run(user: "ec2-user", host: instance.ipAddress, key: fixture.state.fleetKeyPath,
                                            knownHosts: fixture.state.knownHostsPath,
                                            command: "cat >> ~/.ssh/authorized_keys <<'EOF'\n\(publicKeys)EOF")
            #expect(add.status == 0, "\(add.stderr)")

            for key in ["rsa2048.pem", "rsa4096", "ed25519", "ecdsa"] {
                let output = try await Self.inspect(fixture, instance.ipAddress, user: "ec2-user", extra: ["--identity-file", "\(keys)/\(key)"])
                #expect(output.status == 0, "\(key): \(output.stderr)")
                #expect(output.stdout.contains("amzn 2"), "\(key): \(output.stdout)")
            }
            let withPassphrase = try await Self.inspect(fixture, instance.ipAddress, user: "ec2-user",
                                                  extra: ["--identity-file", keys + "/ed25519-pass"],
                                                  environment: ["EICSETUP_KEY_PASSPHRASE": "s3cret passphrase"])
            #expect(withPassphrase.status == 0, "\(withPassphrase.stderr)")
            #expect(!withPassphrase.all.contains("s3cret"))
            let wrongPassphrase = try await Self.inspect(fixture, instance.ipAddress, user: "ec2-user",
                                                   extra: ["--identity-file", keys + "/ed25519-pass"],
                                                   environment: ["EICSETUP_KEY_PASSPHRASE": "nope"])
            #expect(wrongPassphrase.status != 0)
            #expect(wrongPassphrase.stderr.lowercased().contains("passphrase"))

            let socket = keys + "/agent.sock"
            let agent = try ChildProcess.spawn(["/usr/bin/ssh-agent", "-D", "-a", socket], stdout: "/dev/null",
                                               stderr: "/dev/null", environment: [:], newSession: false)
            defer {
                kill(agent, SIGTERM)
                ChildProcess.reapIfExited(agent)
            }
            try await LoopbackWait.forFile(socket)
            var agentEnvironment = ProcessInfo.processInfo.environment
            agentEnvironment["SSH_AUTH_SOCK"] = socket
            let added = try await OpenSSH.exec(["/usr/bin/env", "SSH_AUTH_SOCK=\(socket)", "/usr/bin/ssh-add", keys + "/agent"])
            #expect(added.status == 0, "\(added.stderr)")
            let viaAgent = try await Self.inspect(fixture, instance.ipAddress, user: "ec2-user", extra: [],
                                            environment: ["SSH_AUTH_SOCK": socket])
            #expect(viaAgent.status == 0, "\(viaAgent.stderr)")
            #expect(viaAgent.stdout.contains("amzn 2"))
        }
    }

    @Test func hostKeysAreStrictUnlessAskedAndAChangedKeyIsAlwaysRefused() async throws {
        try await SandboxFixture.with(["ubuntu-22.04", "hostkey-changed"], subnet: 46) { fixture in
            let ubuntu = try #require(fixture.instance("ubuntu-22.04"))
            let rebuilt = try #require(fixture.instance("hostkey-changed"))
            let empty = NSTemporaryDirectory() + "eic-known-hosts-\(UUID().uuidString)"
            try "".write(toFile: empty, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: empty) }
            let key = ["--identity-file", fixture.state.fleetKeyPath]

            let strict = try await Self.inspect(fixture, ubuntu.ipAddress, user: "ubuntu", extra: key, knownHosts: empty)
            #expect(strict.status != 0)
            #expect(!strict.stdout.contains("ubuntu 22.04"), "nothing may run on an unknown host")
            // Refused for the right reason (not, say, a failed login), and told what to do.
            #expect(strict.stderr.contains("is known in \(empty) and host key checking is strict"), "\(strict.stderr)")
            #expect(strict.stderr.contains("--host-keys accept-new"))
            #expect(try String(contentsOfFile: empty, encoding: .utf8).isEmpty)

            let acceptNew = try await Self.inspect(fixture, ubuntu.ipAddress, user: "ubuntu", extra: key + ["--host-keys", "accept-new"],
                                             knownHosts: empty)
            #expect(acceptNew.status == 0, "\(acceptNew.stderr)")
            #expect(acceptNew.stdout.contains("ubuntu 22.04"))
            #expect(try String(contentsOfFile: empty, encoding: .utf8).contains(ubuntu.ipAddress))
            let again = try await Self.inspect(fixture, ubuntu.ipAddress, user: "ubuntu", extra: key, knownHosts: empty)
            #expect(again.status == 0, "the recorded key is trusted afterwards")

            for policy in ["strict", "accept-new"] {
                let changed = try await Self.inspect(fixture, rebuilt.ipAddress, user: "ec2-user", extra: key + ["--host-keys", policy])
                #expect(changed.status != 0, "\(policy) accepted a changed host key")
                #expect(changed.stderr.contains(fixture.state.knownHostsPath), "the warning names the file: \(changed.stderr)")
                #expect(changed.stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"))
                #expect(!changed.stdout.contains("amzn 2"))
            }
        }
    }
}

/// Waiting for a file (a UNIX socket) to appear.
enum LoopbackWait {
    static func forFile(_ path: String, timeout: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: path) {
            guard Date() < deadline else { throw PeerError("\(path) did not appear") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }
}
