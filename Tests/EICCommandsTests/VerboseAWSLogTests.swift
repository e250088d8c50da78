import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// `-v` on plan, apply and verify (issue 19, item 12): one stderr line per AWS call attempt, throttled
/// attempts and their retries visible, never a secret — as README and --help promise.
@Suite struct VerboseAWSLogTests {
    @Test func planApplyAndVerifyLogEveryAWSCallAttemptIncludingThrottledRetries() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 141, faults: "throttle=0.5") { fixture in
            let env = PlanApplyTests.environment(fixture.state)
            let secret = try #require(env["AWS_SECRET_ACCESS_KEY"])
            for command in [["plan", PlanApplyTests.playbook, "-v"], ["apply", PlanApplyTests.playbook, "--auto-approve", "-v"],
                            ["verify", PlanApplyTests.playbook, "-v", "--iam-wait", "0"]] {
                let run = try await CLIRunner.run(command, environment: env)
                let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("aws: ") }
                #expect(lines.contains { $0.hasPrefix("aws: sts GetCallerIdentity HTTP 200") }, "\(command[0]): \(run.stderr)")
                #expect(lines.contains { $0.hasPrefix("aws: ec2 DescribeInstances ") }, "\(command[0]): \(run.stderr)")
                #expect(!run.all.contains(secret), "\(command[0]) printed the secret key")
                #expect(!run.stderr.contains("Signature="), "\(command[0]) printed a signature")
                if command[0] == "plan" {
                    // Half the EC2 calls are throttled: the refused attempt and its retry are both logged.
                    #expect(lines.contains { $0.contains("RequestLimitExceeded") && $0.contains("retrying") }, "\(run.stderr)")
                }
            }
            let quiet = try await CLIRunner.run(["plan", PlanApplyTests.playbook], environment: env)
            #expect(!quiet.stderr.contains("aws: "), "without -v nothing is logged: \(quiet.stderr)")
        }
    }
}
