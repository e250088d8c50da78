import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// Faults injected with `sandbox up --faults`, seen from real clients.
@Suite struct SandboxFaultTests {
    @Test func iamDelayHoldsBackNewAttachmentsAndSSHDropCutsInstalls() async throws {
        try await SandboxFixture.with(["al2-current", "al2-old"], subnet: 47, faults: "iam-delay=4,ssh-drop=1.0") { fixture in
            let current = try #require(fixture.instance("al2-current"))
            let old = try #require(fixture.instance("al2-old"))
            try await SandboxEICTests.grant(fixture, name: "eic-delayed", instanceIds: [current.instanceId], osUsers: ["ec2-user"])
            let attachedAt = Date()
            let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm0rXZ9Z3Q1c2Jy3fQm3l8v2p8w0B5cS9Jp1ZB3bq2N delayed"
            do {
                try await SandboxEICTests.push(fixture, current, osUser: "ec2-user", key: key)
                #expect(Date().timeIntervalSince(attachedAt) >= 4, "allowed before the IAM delay passed")
            } catch let error as AWSError {
                #expect(error.code == "AccessDeniedException")
            }
            try await Task.sleep(nanoseconds: 4_500_000_000)
            try await SandboxEICTests.push(fixture, current, osUser: "ec2-user", key: key)

            let install = try await OpenSSH.run(user: "ec2-user", host: old.ipAddress, key: fixture.state.fleetKeyPath,
                                                knownHosts: fixture.state.knownHostsPath,
                                                command: "sudo -n yum install -y ec2-instance-connect")
            #expect(install.status == 255, "the connection is cut mid-command: \(install.status) \(install.stderr)")
        }
    }
}
