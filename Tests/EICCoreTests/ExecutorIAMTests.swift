import Testing
@testable import EICCore

/// apply's IAM operations converge when IAM changed since the plan (design §1 task 4, §5 step 4).
@Suite struct ExecutorIAMTests {
    static let planner = Planner(templates: FakeFleet.templates)
    static let name = PlannerIAMTests.name

    static func plan(osUsers: [String] = ["ec2-user", "ubuntu"]) -> PlanFile {
        PlannerIAMTests.plan(osUsers: osUsers, principals: [])
    }

    static func actions(_ cloud: FakeCloud, _ plan: PlanFile) async throws -> [PlannedAction] {
        try await PlannerIAMTests.planned(cloud, plan).0.actions
    }

    @Test func entityAlreadyExistsOnCreateConvergesOnTheExistingPolicy() async throws {
        let cloud = FakeCloud()
        let actions = try await Self.actions(cloud, Self.plan())
        #expect(actions.map(\.change) == [.create])
        // Created by someone else since the plan, with an older document.
        await cloud.seedPolicy(name: Self.name, documents: [PlannerIAMTests.document(Self.plan(osUsers: ["ec2-user"]))])
        await cloud.resetCalls()
        let outcomes = await Executor(cloud: cloud, sessions: [:]).run(actions)
        #expect(outcomes.map(\.status) == [.changed])
        #expect(outcomes[0].detail == .policyVersioned(name: Self.name, version: "v2", pruned: nil))
        #expect(await cloud.mutatingCalls.map(\.name) == ["iam:CreatePolicy", "iam:CreatePolicyVersion"])
        let stored = await cloud.stored(Self.name)
        #expect(stored?.versions.last?.isDefault == true)
        #expect(PolicyDocument.equivalent(stored?.versions.last?.document ?? "", PlannerIAMTests.document(Self.plan())))
    }

    /// Another team's policy of the same name created between plan and apply (no owner tag) is not
    /// rewritten: the plan would have called it a conflict. Apply makes no STS call to find its ARN.
    @Test func aForeignPolicyAppearingBeforeApplyIsLeftAlone() async throws {
        let cloud = FakeCloud()
        let actions = try await Self.actions(cloud, Self.plan())
        await cloud.seedPolicy(name: Self.name, documents: [PlannerIAMTests.document(Self.plan(osUsers: ["ec2-user"]))], managed: false)
        await cloud.resetCalls()
        let outcomes = await Executor(cloud: cloud, sessions: [:]).run(actions)
        #expect(outcomes.map(\.status) == [.failed])
        #expect(outcomes[0].detail == .policyAppearedForeign(name: Self.name))
        #expect(await cloud.mutatingCalls.map(\.name) == ["iam:CreatePolicy"])
        #expect(await cloud.stored(Self.name)?.versions.count == 1)
        #expect(await !cloud.calls.contains { $0.name == "sts:GetCallerIdentity" })
    }

    @Test func entityAlreadyExistsWithTheSameDocumentIsOk() async throws {
        let cloud = FakeCloud()
        let actions = try await Self.actions(cloud, Self.plan())
        await cloud.seedPolicy(name: Self.name, documents: [PlannerIAMTests.document(Self.plan())])
        let outcomes = await Executor(cloud: cloud, sessions: [:]).run(actions)
        #expect(outcomes.map(\.status) == [.ok])
        #expect(outcomes[0].detail == .policyAlreadySays(name: Self.name))
        #expect(await cloud.stored(Self.name)?.versions.count == 1)
    }

    @Test func anUpdateAtFiveVersionsPrunesTheOldestNonDefaultFirst() async throws {
        let cloud = FakeCloud()
        await cloud.seedPolicy(name: Self.name, documents: (1...5).map { PlannerIAMTests.document(Self.plan(osUsers: ["user\($0)"])) })
        let outcomes = await Executor(cloud: cloud, sessions: [:]).run(try await Self.actions(cloud, Self.plan()))
        #expect(outcomes.map(\.status) == [.changed])
        let stored = await cloud.stored(Self.name)
        #expect(stored?.versions.map(\.versionId) == ["v2", "v3", "v4", "v5", "v6"])
        #expect(stored?.versions.filter(\.isDefault).map(\.versionId) == ["v6"])
    }

    @Test func aVersionAddedSinceThePlanIsPrunedInsteadOfFailing() async throws {
        let cloud = FakeCloud()
        await cloud.seedPolicy(name: Self.name, documents: (1...4).map { PlannerIAMTests.document(Self.plan(osUsers: ["user\($0)"])) })
        let actions = try await Self.actions(cloud, Self.plan())
        guard case .updatePolicy(_, let arn, _, nil)? = actions.first?.operation else {
            Issue.record("expected an update without pruning: \(actions)")
            return
        }
        // A fifth version appears before apply: CreatePolicyVersion hits the limit, apply prunes and retries.
        _ = try await cloud.createPolicyVersion(arn: arn, document: PlannerIAMTests.document(Self.plan(osUsers: ["user5"])), setAsDefault: true)
        let outcomes = await Executor(cloud: cloud, sessions: [:]).run(actions)
        #expect(outcomes.map(\.status) == [.changed])
        #expect(await cloud.stored(Self.name)?.versions.map(\.versionId) == ["v2", "v3", "v4", "v5", "v6"])
    }

    @Test func aFailedIAMCallFailsThatActionOnly() async throws {
        let fleet = await FakeFleet.make([.al2Old])
        await fleet.cloud.addPrincipal(PrincipalRef(kind: .user, name: "eic-user"))
        await fleet.cloud.inject(.accessDenied, on: "iam:CreatePolicy")
        let (result, outcomes) = try await ExecutorTests.apply(fleet)
        let statuses = Dictionary(uniqueKeysWithValues: zip(result.actions.map(\.kind), outcomes.map(\.status)))
        #expect(statuses[.iamPolicy] == .failed)
        #expect(statuses[.securityGroupRule] == .changed)
        #expect(statuses[.instance] == .changed)
        // The attachment runs after the failed create and fails on its own (the policy does not exist).
        #expect(statuses[.iamAttachment] == .failed)
        #expect(outcomes.first?.detail == .error("InjectedAccessdenied: injected fault"))
    }
}
