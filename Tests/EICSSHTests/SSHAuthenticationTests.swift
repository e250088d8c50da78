import EICCore
import EICSSH
import Foundation
import Testing

/// Logs in to a real OpenSSH 9.2 (default algorithms) with every kind of key people have.
@Suite struct SSHAuthenticationTests {
    static let keys = TestKeys.shared

    static let keyFiles: [(String, String)] = [
        ("RSA 2048 PEM", keys.rsaPEM),
        ("RSA 4096 OpenSSH format", keys.rsaOpenSSH),
        ("RSA 2048 PKCS#8", keys.rsaPKCS8),
        ("ed25519", keys.ed25519),
        ("ECDSA P-256 OpenSSH format", keys.ecdsaP256),
        ("ECDSA P-256 PEM", keys.ecdsaPEM),
    ]

    /// Runs a command that writes to both streams and exits non-zero, and checks all three results.
    static func assertLogin(_ options: SSHConnectionOptions, sshd: TestSSHD) async throws {
        let connection = try await SSHConnection.open(options)
        let result = try await connection.run(RemoteCommand.script("id -un; echo oops >&2; exit 3"))
        #expect(result.stdoutText == "root\n")
        #expect(result.stderrText == "oops\n")
        #expect(result.exitStatus == 3)
    }

    @Test(arguments: keyFiles.map(\.1))
    func logsInWithKeyFile(_ path: String) async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        try await Self.assertLogin(sshd.options(identity: .keyFile(path: path), knownHosts: knownHosts), sshd: sshd)
        // RSA keys must have been accepted as rsa-sha2-*, never SHA-1 ssh-rsa.
        if path.contains("rsa") {
            #expect(sshd.log.contains("Accepted publickey for root"))
            #expect(sshd.log.contains("ssh2: RSA SHA256:"))
            #expect(!sshd.log.contains("not in PubkeyAcceptedAlgorithms"))
        }
    }

    @Test func logsInWithPassphraseProtectedKeys() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        let source = PassphraseSource.environmentOrPrompt(["EICSETUP_KEY_PASSPHRASE": TestKeys.passphrase])
        for path in [Self.keys.ed25519Passphrase, Self.keys.rsaPEMEncrypted] {
            try await Self.assertLogin(sshd.options(identity: .keyFile(path: path), knownHosts: knownHosts, passphrase: source),
                                       sshd: sshd)
        }
    }

    @Test func logsInWithAgentKeys() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        // One agent per key type, so each login proves that key type works through the agent.
        for key in [Self.keys.rsaOpenSSH, Self.keys.ed25519, Self.keys.ecdsaP256] {
            let agent = try await OffPool.run { try TestAgent(keys: [key]) }
            defer { agent.stop() }
            try await Self.assertLogin(sshd.options(identity: .agent(socketPath: agent.socketPath), knownHosts: knownHosts),
                                       sshd: sshd)
        }
        #expect(sshd.log.contains("ssh2: RSA SHA256:"))
        #expect(sshd.log.contains("ssh2: ED25519 SHA256:"))
        #expect(sshd.log.contains("ssh2: ECDSA SHA256:"))
    }

    @Test func refusesAKeyTheServerDoesNotKnow() async throws {
        let sshd = try await TestSSHD.started(publicKeys: [])
        defer { sshd.stop() }
        let error = await #expect(throws: SSHError.self) {
            try await SSHConnection.open(sshd.options(identity: .keyFile(path: Self.keys.ed25519),
                                                      knownHosts: sshd.directory + "/known_hosts"))
        }
        #expect(error?.kind == .authentication)
        #expect(error?.description.contains("refused") == true)
    }
}

/// An ssh-agent started for one test, holding the given keys.
final class TestAgent: @unchecked Sendable {  // test helper, used by one test
    let socketPath: String
    private let process: Shell.Child

    init(keys: [String]) throws {
        socketPath = try Shell.makeTemporaryDirectory("agent") + "/agent.sock"
        process = try Shell.spawn(["/usr/bin/ssh-agent", "-D", "-a", socketPath])
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socketPath) { usleep(20_000) }
        for key in keys {
            try Shell.run(["/usr/bin/ssh-add", "-q", key], environment: ["SSH_AUTH_SOCK": socketPath])
        }
    }

    func stop() {
        process.terminate()
    }
}
