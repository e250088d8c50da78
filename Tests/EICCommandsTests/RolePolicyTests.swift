import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// A policy by instance ARN ("selected") attached to a role and a user: apply creates and attaches it,
/// and verify passes through an assumed-role session — judged by the sandbox's IAM evaluation of role
/// sessions, as AWS would.
@Suite struct RolePolicyTests {
    @Test func aPolicyAttachedToARoleVerifiesThroughAnAssumedRoleSession() async throws {
        try await SandboxFixture.with(["al2-current", "ubuntu-22.04", "al2-old"], subnet: 62) { fixture in
            let directory = NSTemporaryDirectory() + "eic-role-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let role = "eic-role-\(UUID().uuidString.prefix(6).lowercased())"
            let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(fixture.state.accountId):root"},"Action":"sts:AssumeRole"}]}"#
            try await IAMProvisioning(client: fixture.client()).createRole(name: role, trustPolicy: trust)
            let plan = directory + "/plan.json"
            try """
            { "version": 1, "region": "\(fixture.state.region)",
              "instances": { "select": { "tags": { "Fleet": "sandbox" } },
                             "ssh": { "identityFile": "${EICSETUP_SANDBOX_KEY}", "knownHosts": "${EICSETUP_SANDBOX_KNOWN_HOSTS}", "address": "private-ip" } },
              "iam": { "policies": [ { "name": "EIC-by-arn-\(role)", "allow": { "instances": "selected", "osUsers": ["ec2-user", "ubuntu"], "describeInstances": true } } ],
                       "attachments": [ { "policy": "EIC-by-arn-\(role)", "roles": ["\(role)"] } ] } }
            """.write(toFile: plan, atomically: true, encoding: .utf8)
            let admin = PlanApplyTests.environment(fixture.state)
            let apply = try await CLIRunner.run(["apply", plan, "--auto-approve"], environment: admin)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stdout.contains("attached EIC-by-arn-\(role) to role \(role)"), "\(apply.stdout)")

            // eic-user has no policy of its own: not even DescribeInstances is allowed, and verify says so.
            let asUser = try await CLIRunner.run(["verify", plan, "--json", "--iam-wait", "0"],
                                                 environment: PlanApplyTests.environment(fixture.state, asEICUser: true))
            #expect(asUser.status == 1)
            #expect(asUser.stderr.contains("DescribeInstances") && asUser.stderr.contains("UnauthorizedOperation"), "\(asUser.stderr)")

            // A session of the role: every host passes.
            let session = try await STSClient(client: fixture.client()).assumeRole(
                roleArn: "arn:aws:iam::\(fixture.state.accountId):role/\(role)", sessionName: "verify")
            var asRole = admin
            asRole["AWS_ACCESS_KEY_ID"] = session.accessKeyId
            asRole["AWS_SECRET_ACCESS_KEY"] = session.secretAccessKey
            asRole["AWS_SESSION_TOKEN"] = session.sessionToken
            let verify = try await CLIRunner.run(["verify", plan, "--json", "--iam-wait", "10"], environment: asRole)
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("assumed-role/\(role)/verify"), "\(verify.stdout)")
            #expect(verify.stdout.contains("\"passed\" : 3"), "\(verify.stdout)")
        }
    }
}
