import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// `apply --json` has a schema (issue 19, item 19): its first line is the plan (plan-output.schema.json),
/// every later line an event of apply-output.schema.json — checked on a real apply that installs.
@Suite struct ApplyJSONSchemaTests {
    @Test func everyLineOfApplyJSONMatchesItsSchema() async throws {
        try await SandboxFixture.with(["al2-old", "al2-current"], subnet: 142) { fixture in
            let run = try await CLIRunner.run(["apply", PlanApplyTests.playbook, "--auto-approve", "--json"],
                                              environment: PlanApplyTests.environment(fixture.state))
            #expect(run.status == 0, "\(run.all)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            let first = try #require(lines.first)
            try await JSONOutputTests.validate(first, schema: "plan-output")
            let events = Array(lines.dropFirst())
            #expect(events.contains { $0.contains(#""event":"started""#) } && events.contains { $0.contains(#""event":"summary""#) },
                    "\(run.stdout)")
            for line in events { try await JSONOutputTests.validate(line, schema: "apply-output") }
            // al2-old gets the package: its finished event says so by code as well as in words.
            #expect(events.contains { $0.contains(#""detail_code":"installed""#) && $0.contains("instance[") }, "\(run.stdout)")
        }
    }
}
