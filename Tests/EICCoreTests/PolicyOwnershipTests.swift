import Testing
@testable import EICCore

/// Issue 19, item 13: a policy of the plan's name that eicsetup did not create (another team's, without
/// the managed-by=eicsetup tag) is a conflict — not rewritten, its versions not pruned, not attached —
/// unless the plan adopts it; and a pruned version is counted as destroyed.
@Suite struct PolicyOwnershipTests {
    static let name = PlannerIAMTests.name
    static let other = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#

    static func plan(adopt: Bool) -> PlanFile {
        var plan = PlannerIAMTests.plan()
        plan.iam?.policies[0].adopt = adopt
        return plan
    }

    static func cloudWithAnotherTeamsPolicy(versions: Int = 1) async -> FakeCloud {
        let cloud = FakeCloud()
        await cloud.addPrincipal(PlannerIAMTests.user)
        await cloud.seedPolicy(name: name, documents: Array(repeating: other, count: versions), managed: false)
        return cloud
    }

    @Test func anotherTeamsPolicyIsAConflictAndApplyLeavesItAlone() async throws {
        let cloud = await Self.cloudWithAnotherTeamsPolicy(versions: 5)
        let (result, _) = try await PlannerIAMTests.planned(cloud, Self.plan(adopt: false))
        #expect(result.actions.map(\.change) == [.conflict, .skip], "\(result.actions.map(\.reason))")
        #expect(result.actions[0].reason == .policyForeign(name: Self.name))
        #expect(result.actions[1].reason == .foreignPolicyNotAttached(policy: Self.name))
        #expect(!result.summary.hasChanges)
        await cloud.resetCalls()
        _ = await Executor(cloud: cloud, sessions: [:]).run(result.actions)
        #expect(await cloud.mutatingCalls.isEmpty, "another team's policy was changed")
        #expect(await cloud.stored(Self.name)?.versions.count == 5)
    }

    @Test func adoptingItRewritesItAndCountsThePrunedVersion() async throws {
        let cloud = await Self.cloudWithAnotherTeamsPolicy(versions: 5)
        let (result, _) = try await PlannerIAMTests.planned(cloud, Self.plan(adopt: true))
        #expect(result.actions.first?.change == .update)
        #expect(result.summary.destroy == 1, "the oldest version is deleted to make room")
        let outcomes = await Executor(cloud: cloud, sessions: [:]).run(result.actions)
        #expect(outcomes.first?.status == .changed)
        #expect(outcomes.first?.detail == .policyVersioned(name: Self.name, version: "v6", pruned: "v1"), "\(String(describing: outcomes.first?.detail))")
    }

    @Test func policiesEicsetupCreatesCarryTheOwnerTag() async throws {
        let cloud = FakeCloud()
        let (result, _) = try await PlannerIAMTests.planned(cloud, PlannerIAMTests.plan(principals: []))
        _ = await Executor(cloud: cloud, sessions: [:]).run(result.actions)
        let arn = await cloud.policyArn(Self.name)
        #expect(try await cloud.policy(arn: arn)?.isManagedByEICSetup == true)
    }
}
