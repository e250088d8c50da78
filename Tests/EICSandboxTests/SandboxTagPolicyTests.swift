import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// A SendSSHPublicKey policy that grants by `aws:ResourceTag`, end to end: the sandbox must read the
/// instance's current tags when it evaluates the policy, as AWS does.
@Suite struct SandboxTagPolicyTests {
    static func tagPolicy(account: String) -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2-instance-connect:SendSSHPublicKey","#
            + #""Resource":"arn:aws:ec2:us-east-1:\#(account):instance/*","#
            + #""Condition":{"StringEquals":{"aws:ResourceTag/EIC":"enabled","ec2:osuser":"ec2-user"}}}]}"#
    }

    /// Tags an instance with the AWS CLI, as the admin: the same client operators use.
    static func tag(_ fixture: SandboxFixture, _ instanceId: String, eic value: String) async throws {
        let admin = fixture.state.credentials(asEICUser: false)
        let environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
                           "AWS_ACCESS_KEY_ID": admin.accessKeyId, "AWS_SECRET_ACCESS_KEY": admin.secretAccessKey,
                           "AWS_ENDPOINT_URL": fixture.state.endpoint, "AWS_DEFAULT_REGION": fixture.state.region,
                           "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
        let aws = RepositoryPaths.root.appendingPathComponent(".venv/bin/aws").path
        let result = try await Subprocess.run(aws, ["ec2", "create-tags", "--resources", instanceId,
                                                    "--tags", "Key=EIC,Value=\(value)"], environment: environment)
        #expect(result.status == 0, "aws ec2 create-tags: \(result.stderr)")
    }

    @Test func aTagConditionAllowsWhileTheInstanceIsTaggedAndDeniesAfterRetagging() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 48) { fixture in
            let instance = try #require(fixture.instance("al2-current"))
            let keys = try TestKeyDirectory.make()
            let (keyPath, publicKey) = try await OpenSSH.generateKey(in: keys, name: "tagged")
            let iam = IAMClient(client: fixture.client())
            let policy = try await iam.createPolicy(name: "eic-by-tag", document: Self.tagPolicy(account: fixture.state.accountId))
            try await iam.attachPolicy(arn: policy.arn, to: .user, name: "eic-user")

            try await SandboxEICTests.expectDenied("the instance has no EIC tag yet") {
                try await SandboxEICTests.push(fixture, instance, osUser: "ec2-user", key: publicKey)
            }

            try await Self.tag(fixture, instance.instanceId, eic: "enabled")
            try await SandboxEICTests.push(fixture, instance, osUser: "ec2-user", key: publicKey)
            let login = try await SandboxEICTests.login(fixture, instance, user: "ec2-user", key: keyPath)
            #expect(login.status == 0, "stderr: \(login.stderr)")

            try await Self.tag(fixture, instance.instanceId, eic: "disabled")
            try await SandboxEICTests.expectDenied("the tag no longer matches") {
                try await SandboxEICTests.push(fixture, instance, osUser: "ec2-user", key: publicKey)
            }
        }
    }
}

/// Fresh directories for tests' SSH keys (unique, so a test can run twice), removed when the process exits.
enum TestKeyDirectory {
    static func make() throws -> String {
        let path = NSTemporaryDirectory() + "eic-sandbox-keys-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        PeerReaper.removeAtExit(path)
        return path
    }
}
