import EICCore
import EICSSH
import Foundation
import Testing

/// Issue 8, defects 7 and 8: known_hosts read as OpenSSH reads it (bytes; CRLF) and identity files
/// checked for their type before their mode.
@Suite struct KnownHostsFileTests {
    static let key = SSHIdentity.keyFile(path: TestKeys.shared.ed25519)

    /// The host's own known_hosts line, as `ssh-keyscan` would give it.
    static func hostLine(_ sshd: TestSSHD) throws -> String {
        let hostPublic = try String(contentsOfFile: sshd.hostKeyPath + ".pub", encoding: .utf8)
        return "[127.0.0.1]:\(sshd.port) " + hostPublic.split(separator: " ").prefix(2).joined(separator: " ")
    }

    @Test func aNonUTF8CommentDoesNotSpoilTheFile() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        // "# café" in Latin-1: 0xE9 is not UTF-8 on its own.
        var bytes = Array("# caf".utf8) + [0xE9] + Array("\n".utf8)
        bytes += Array((try Self.hostLine(sshd) + "\n").utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: knownHosts))
        let connection = try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: .strict))
        #expect(!connection.hostKeyAdded)
        await connection.close()
    }

    @Test func crlfLinesMatchAndAcceptNewAddsNoDuplicate() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        let original = Data(("# edited on Windows\r\n" + (try Self.hostLine(sshd)) + "\r\n").utf8)
        try original.write(to: URL(fileURLWithPath: knownHosts))
        let strict = try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: .strict))
        await strict.close()
        let acceptNew = try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: .acceptNew))
        #expect(!acceptNew.hostKeyAdded)
        await acceptNew.close()
        #expect(FileManager.default.contents(atPath: knownHosts) == original, "the file was changed")
    }

    @Test func crlfAndStrayBytesInPureParsing() {
        let line = "host.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV"
        let blob = Array(Data(base64Encoded: "AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV") ?? Data())
        let hosts = KnownHosts(bytes: [0xFF, 0xFE, 0x0A] + Array((line + "\r\n").utf8))
        #expect(hosts.match(hostToken: "host.example", keyType: "ssh-ed25519", keyBlob: blob) == .known(line: 2))
    }

    /// Defect 8: /dev/null, a directory or a FIFO is "not a regular file" — no chmod advice; a public key is
    /// named as one whatever its mode.
    @Test func identityFileTypeIsCheckedFirst() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts"
        let fifo = sshd.directory + "/fifo-key"
        mkfifo(fifo, 0o644)
        for path in ["/dev/null", sshd.directory, fifo] {
            let error = await #expect(throws: SSHError.self) {
                try await SSHConnection.open(sshd.options(identity: .keyFile(path: path), knownHosts: knownHosts))
            }
            #expect(error?.description.contains("not a regular file") == true, "\(path): \(String(describing: error))")
            #expect(error?.description.contains("chmod") == false)
        }
        let publicKey = sshd.directory + "/id.pub"
        try FileManager.default.copyItem(atPath: TestKeys.shared.ed25519 + ".pub", toPath: publicKey)
        for mode in [0o644, 0o600] {
            chmod(publicKey, mode_t(mode))
            let error = await #expect(throws: SSHError.self) {
                try await SSHConnection.open(sshd.options(identity: .keyFile(path: publicKey), knownHosts: knownHosts))
            }
            #expect(error?.description.contains("public key") == true, "\(String(describing: error))")
            #expect(error?.description.contains("chmod") == false)
        }
    }
}
