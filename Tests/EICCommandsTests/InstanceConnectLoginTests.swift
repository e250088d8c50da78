import EICAWS
import EICCommands
import EICCore
import EICSandbox
import EICTestSupport
import Testing

/// `InstanceConnectLogin` as the core's `InstanceLogin` port sees it (what verify calls), on real sandbox
/// hosts: each way a login can end is told apart.
@Suite struct InstanceConnectLoginTests {
    @Test func eachOutcomeIsToldApart() async throws {
        try await SandboxFixture.with(["al2-current", "al2-old", "hostkey-changed", "unreachable"], subnet: 135) { fixture in
            let instances = fixture.state.instances
            try await SSHCommandTests.grant(fixture, name: "eic-login-port", instanceIds: instances.map(\.instanceId),
                                            osUsers: ["ec2-user", "ubuntu"])
            let login = InstanceConnectLogin(instanceConnect: InstanceConnectClient(client: fixture.client(asEICUser: true)),
                                             knownHostsPath: fixture.state.knownHostsPath, connectTimeoutMilliseconds: 20_000)
            func attempt(_ personality: String, user: String? = nil) async throws -> LoginResult {
                let instance = try #require(fixture.instance(personality))
                return await login.login(LoginRequest(instanceId: instance.instanceId, osUser: user ?? instance.loginUser,
                                                      address: instance.ipAddress, port: 22, availabilityZone: "us-east-1a"))
            }

            #expect(try await attempt("al2-current") == .ok)
            guard case .accessDenied(let denied) = try await attempt("al2-current", user: "root") else {
                Issue.record("root is outside the policy's ec2:osuser")
                return
            }
            #expect(denied.contains("eic-user is not allowed to push a key to"))
            guard case .keyRefused(let refused) = try await attempt("al2-old") else {
                Issue.record("al2-old has no EIC package: its sshd must refuse the pushed key")
                return
            }
            #expect(refused.contains("refused the EC2 Instance Connect key"))
            guard case .hostKeyChanged = try await attempt("hostkey-changed") else {
                Issue.record("a changed host key must be refused")
                return
            }
            guard case .unreachable = try await attempt("unreachable") else {
                Issue.record("a host without sshd is unreachable")
                return
            }
        }
    }
}
