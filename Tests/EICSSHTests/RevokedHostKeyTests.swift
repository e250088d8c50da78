import EICCore
import EICSSH
import Foundation
import Testing

/// `@revoked` in known_hosts: the key must never be accepted, whatever the policy, and accept-new must
/// not record it as if it were new.
@Suite struct RevokedHostKeyTests {
    static let key = SSHIdentity.keyFile(path: TestKeys.shared.ed25519)

    @Test func aRevokedHostKeyIsRefusedUnderEveryPolicyAndNeverRecorded() async throws {
        let sshd = try await TestSSHD.started()
        defer { sshd.stop() }
        let knownHosts = sshd.directory + "/known_hosts-\(UUID().uuidString.prefix(8))"
        let hostPublic = try String(contentsOfFile: sshd.hostKeyPath + ".pub", encoding: .utf8)
        let typeAndKey = hostPublic.split(separator: " ").prefix(2).joined(separator: " ")
        // Revoked for every host, as `@revoked * …` is usually written; line 2.
        let original = "# keys we no longer trust\n@revoked * \(typeAndKey)\n"
        try original.write(toFile: knownHosts, atomically: true, encoding: .utf8)

        for policy in HostKeyPolicy.allCases {
            let error = await #expect(throws: SSHError.self, "\(policy)") {
                try await SSHConnection.open(sshd.options(identity: Self.key, knownHosts: knownHosts, policy: policy))
            }
            #expect(error?.kind == .hostKeyChanged, "\(policy): \(String(describing: error))")
            #expect(error?.message.contains("marked as revoked in \(knownHosts):2") == true, "\(policy)")
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == original, "\(policy) changed known_hosts")
        }
        // Refused before authentication: nothing ran.
        #expect(!sshd.log.contains("Accepted publickey"))
    }

    @Test func revokedWinsOverAnOrdinaryEntryForTheSameKey() {
        let key = "AAAAC3NzaC1lZDI1NTE5AAAAIBM93Nxsyu88SSCaF6rPZxQGn9AfFN/mOZoK81PHXUlV"
        let blob = Array(Data(base64Encoded: key) ?? Data())
        let hosts = KnownHosts(text: "web.example ssh-ed25519 \(key)\n@revoked web.example ssh-ed25519 \(key)\n")
        #expect(hosts.match(hostToken: "web.example", keyType: "ssh-ed25519", keyBlob: blob) == .revoked(line: 2))
        #expect(hosts.knownKeyTypes(hostToken: "other.example").isEmpty)
    }
}
