import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// Errors keep their cause (issue 23): when AWS refuses a read during `plan --json`, the JSON error
/// carries AWS's code, the operation and the request id, not only an English sentence.
@Suite struct JSONErrorCauseTests {
    @Test func aRefusedAWSReadReportsItsCodeAndRequestId() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 70) { fixture in
            // eic-user has no policy before any apply: DescribeInstances is refused.
            let result = try await CLIRunner.run(["plan", PlanApplyTests.playbook, "--json"],
                                                 environment: PlanApplyTests.environment(fixture.state, asEICUser: true))
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            try await JSONOutputTests.validate(result.stderr, schema: "error")
            let error = try #require(try PlanApplyTests.object(result.stderr)["error"] as? [String: Any])
            #expect(error["kind"] as? String == "aws", "\(result.stderr)")
            #expect(error["service"] as? String == "ec2" && error["operation"] as? String == "DescribeInstances", "\(result.stderr)")
            #expect(["UnauthorizedOperation", "AccessDenied"].contains(error["code"] as? String ?? ""), "\(result.stderr)")
            #expect(!(error["request_id"] as? String ?? "").isEmpty, "\(result.stderr)")
            #expect((error["message"] as? String ?? "").contains("read the selected instances"), "\(result.stderr)")
        }
    }
}
