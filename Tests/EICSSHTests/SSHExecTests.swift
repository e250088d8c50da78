import EICCore
import EICSSH
import Foundation
import Testing

@Suite struct SSHExecTests {
    static func connect(_ sshd: TestSSHD) async throws -> SSHConnection {
        try await SSHConnection.open(sshd.options(identity: .keyFile(path: TestKeys.shared.ed25519),
                                                  knownHosts: sshd.directory + "/known_hosts"))
    }

    @Test func stdinReachesTheCommandAndStreamsStaySeparate() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let connection = try await Self.connect(sshd)
        let input = Array(String(repeating: "line of input\n", count: 20_000).utf8)  // > one channel window
        let result = try await connection.run(RemoteCommand.script("wc -c; head -c 300000 /dev/zero | tr '\\0' e >&2; exit 7"),
                                              stdin: input)
        #expect(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == String(input.count))
        #expect(result.stderr.count == 300_000)
        #expect(result.exitStatus == 7)
    }

    @Test func quotedArgumentsArriveVerbatim() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let connection = try await Self.connect(sshd)
        let tricky = ["", "it's", "a b", "$HOME", "`id`", "$(id)", "line1\nline2", "back\\slash", "*", "\"dq\"", "é ✓", "-n"]
        for value in tricky {
            let result = try await connection.run(RemoteCommand(arguments: ["printf", "%s|", value]))
            #expect(result.stdoutText == value + "|", "value \(value.debugDescription)")
        }
    }

    @Test func aSlowCommandTimesOutAndASignalIsReported() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let connection = try await Self.connect(sshd)
        let error = await #expect(throws: SSHError.self) {
            try await connection.run(RemoteCommand(arguments: ["sleep", "5"]), stdin: [], timeoutMilliseconds: 500)
        }
        #expect(error?.kind == .timeout)
        let other = try await Self.connect(sshd)
        let killed = try await other.run(RemoteCommand.script("kill -KILL $$"))
        #expect(killed.exitSignal == "KILL")
        #expect(killed.exitStatus == nil)
    }

    /// A host that never stops writing (a login shell replaced by `yes`, a forged endless probe answer) is
    /// cut off at the command's output limit with a typed error, long before its timeout; memory stays bounded.
    @Test func endlessOutputIsCutAtTheLimit() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        for command in [RemoteCommand(arguments: ["yes"]), RemoteCommand.script("yes >&2")] {
            // The connection is cut under the writer, so each command gets its own.
            let connection = try await Self.connect(sshd)
            let error = await #expect(throws: HostError.self) {
                try await connection.run(command.limitingOutput(to: 256 * 1024), stdin: [], timeoutMilliseconds: 60_000)
            }
            #expect(error == .outputTooLarge(limit: 256 * 1024))
            #expect(error?.description.contains("256 KiB") == true)
        }
        // Within the limit, output arrives whole.
        let other = try await Self.connect(sshd)
        let fits = try await other.run(RemoteCommand.script("head -c 200000 /dev/zero").limitingOutput(to: 256 * 1024))
        #expect(fits.stdout.count == 200_000)
    }
}

@Suite struct SSHIdentityErrorTests {
    static let keys = TestKeys.shared

    static func openError(_ path: String, passphrase: PassphraseSource = .none) async -> SSHError? {
        let options = SSHConnectionOptions(host: "127.0.0.1", port: 1, user: "root", identity: .keyFile(path: path),
                                           knownHostsPath: "/nonexistent/known_hosts", passphrase: passphrase)
        do {
            _ = try await SSHConnection.open(options)
            return nil
        } catch let error as SSHError {
            return error
        } catch {
            return nil
        }
    }

    @Test func wrongOrMissingPassphrase() async throws {
        let wrong = PassphraseSource { _ in Array("not it".utf8) }
        let pemError = await Self.openError(Self.keys.rsaPEMEncrypted, passphrase: wrong)
        #expect(pemError?.kind == .identity)
        #expect(pemError?.message == "wrong passphrase for the key")
        #expect(pemError?.description.contains("not it") == false)
        let missing = await Self.openError(Self.keys.ed25519Passphrase)
        #expect(missing?.description.contains("EICSETUP_KEY_PASSPHRASE") == true)
    }

    @Test func wrongPassphraseForAnOpenSSHEd25519KeyIsNamed() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let error = await #expect(throws: SSHError.self) {
            try await SSHConnection.open(sshd.options(identity: .keyFile(path: Self.keys.ed25519Passphrase),
                                                      knownHosts: sshd.directory + "/kh",
                                                      passphrase: PassphraseSource { _ in Array("nope".utf8) }))
        }
        #expect(error?.kind == .identity)
        #expect(error?.message.contains("wrong passphrase") == true)
    }

    @Test func unsupportedAndUnprotectedKeys() async throws {
        let encryptedRSA = await Self.openError(Self.keys.rsaOpenSSHEncrypted)
        #expect(encryptedRSA?.message.contains("ssh-keygen -p -m PEM -f \(Self.keys.rsaOpenSSHEncrypted)") == true)
        let publicCopy = Self.keys.directory + "/pub-\(UUID().uuidString.prefix(6))"
        try FileManager.default.copyItem(atPath: Self.keys.ed25519 + ".pub", toPath: publicCopy)
        chmod(publicCopy, 0o600)
        let publicKey = await Self.openError(publicCopy)
        #expect(publicKey?.message.contains("public key") == true)

        let loose = Self.keys.directory + "/loose-\(UUID().uuidString.prefix(6))"
        try FileManager.default.copyItem(atPath: Self.keys.ed25519, toPath: loose)
        chmod(loose, 0o644)
        let unprotected = await Self.openError(loose)
        #expect(unprotected?.message.contains("UNPROTECTED PRIVATE KEY FILE! Permissions 0644") == true)
    }
}
