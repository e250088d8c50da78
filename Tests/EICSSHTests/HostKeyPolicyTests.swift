import EICCore
import EICSSH
import Foundation
import Testing

/// strict / accept-new / changed key against a real sshd, with OpenSSH's own known_hosts tools.
@Suite struct HostKeyPolicyTests {
    static let key = SSHIdentity.keyFile(path: TestKeys.shared.ed25519)

    @Test func strictRefusesAnUnknownKeyBeforeAuthenticating() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        let error = await #expect(throws: SSHError.self) {
            try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: .strict))
        }
        #expect(error?.kind == .hostKeyUnknown)
        #expect(error?.description.contains("Nothing was run") == true)
        // Refused before user auth: the server never saw a login, so no command can have run.
        #expect(!sshd.log.contains("Accepted publickey"))
        #expect(!FileManager.default.fileExists(atPath: knownHosts))
    }

    @Test func acceptNewRecordsTheKeyThenAChangedKeyIsRefused() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        try "# comment line\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV\n"
            .write(toFile: knownHosts, atomically: true, encoding: .utf8)

        let first = try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: .acceptNew))
        #expect(first.hostKeyAdded)
        #expect(try await first.run(RemoteCommand(arguments: ["echo", "ok"])).stdoutText == "ok\n")
        let recorded = try String(contentsOfFile: knownHosts, encoding: .utf8)
        let hostPublic = try String(contentsOfFile: sshd.hostKeyPath + ".pub", encoding: .utf8)
        let expectedLine = "[127.0.0.1]:\(sshd.port) " + hostPublic.split(separator: " ").prefix(2).joined(separator: " ")
        #expect(recorded.split(separator: "\n").last.map(String.init) == expectedLine)
        // OpenSSH itself finds the recorded line.
        #expect(try Shell.run(["/usr/bin/ssh-keygen", "-F", "[127.0.0.1]:\(sshd.port)", "-f", knownHosts]).contains("ssh-ed25519"))

        // Now known: strict accepts it and nothing is appended.
        let second = try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: .strict))
        #expect(!second.hostKeyAdded)
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == recorded)

        try sshd.newHostKey()
        try await sshd.restarted()
        for policy in HostKeyPolicy.allCases {
            let error = await #expect(throws: SSHError.self) {
                try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: policy))
            }
            #expect(error?.kind == .hostKeyChanged)
            #expect(error?.description.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") == true)
            #expect(error?.description.contains("Offending ED25519 key in \(knownHosts):3") == true)
        }
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == recorded)
    }

    /// Issue 19, item 14: plan's connector (`deferringHostKeyRecords`) trusts a new key with accept-new for
    /// its probe without writing known_hosts, names the host, and refuses another key for it in the same
    /// process; the ordinary connector (apply) records it.
    @Test func aConnectorThatDefersRecordsWritesNoKnownHostsLine() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        try "# comment line\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let target = HostTarget(address: sshd.address, port: sshd.port, user: "root", identityFile: TestKeys.shared.ed25519,
                                knownHostsPath: knownHosts, hostKeys: .acceptNew)
        let base = SSHHostConnector(passphrase: .none, agentSocket: nil)
        let planning = base.deferringHostKeyRecords()
        for _ in 0..<2 {
            let host = try await planning.open(target)
            #expect(try await host.run(RemoteCommand(arguments: ["echo", "ok"]), stdin: []).stdoutText == "ok\n")
            await host.close()
        }
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == "# comment line\n")
        #expect(planning.unrecordedHostKeys == ["\(sshd.address):\(sshd.port)"])
        #expect(base.unrecordedHostKeys.isEmpty)

        // A different key for the same host later in this process is refused, as a recorded one would be.
        try sshd.newHostKey()
        try await sshd.restarted()
        let refused = await #expect(throws: HostConnectError.self) { try await planning.open(target) }
        // The connector's error keeps libssh2's side as its cause.
        #expect(refused?.kind == .hostKeyChanged && (refused?.cause as? SSHError)?.kind == .hostKeyChanged, "\(String(describing: refused?.cause))")
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == "# comment line\n")

        // apply's connector records the key.
        let host = try await base.open(target)
        await host.close()
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).contains("[\(sshd.address)]:\(sshd.port) ssh-ed25519"))
    }

    @Test func hashedEntriesWrittenByOpenSSHAreRecognised() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        _ = try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: .acceptNew))
        try Shell.run(["/usr/bin/ssh-keygen", "-H", "-f", knownHosts])
        let hashed = try String(contentsOfFile: knownHosts, encoding: .utf8)
        #expect(hashed.hasPrefix("|1|"))
        let connection = try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: .strict))
        #expect(!connection.hostKeyAdded)
    }
}

/// Pure known_hosts matching.
@Suite struct KnownHostsTests {
    @Test func matchesPatternsNegationsAndPorts() {
        let blob = Array(Data(base64Encoded: "AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV") ?? Data())
        let text = """
            web-*.example,!web-bad.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV
            [10.0.0.5]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV
            @cert-authority *.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV
            """
        let hosts = KnownHosts(text: text)
        #expect(hosts.match(hostToken: "web-1.example", keyType: "ssh-ed25519", keyBlob: blob) == .known(line: 1))
        #expect(hosts.match(hostToken: "web-bad.example", keyType: "ssh-ed25519", keyBlob: blob) == .unknown)
        #expect(hosts.match(hostToken: "[10.0.0.5]:2222", keyType: "ssh-ed25519", keyBlob: blob) == .known(line: 2))
        #expect(hosts.match(hostToken: "10.0.0.5", keyType: "ssh-ed25519", keyBlob: blob) == .unknown)
        #expect(hosts.match(hostToken: "web-1.example", keyType: "ssh-ed25519", keyBlob: blob + [0]) == .changed(line: 1))
        #expect(KnownHosts.hostToken(host: "10.0.0.5", port: 22) == "10.0.0.5")
    }
}
