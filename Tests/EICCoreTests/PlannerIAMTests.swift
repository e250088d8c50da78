import Foundation
import Testing
@testable import EICCore

/// The IAM half of the planner: one managed policy eicsetup owns, attached additively (design §1, task 4).
@Suite struct PlannerIAMTests {
    static let planner = Planner(templates: FakeFleet.templates)
    static let name = "EC2InstanceConnect-web"
    static let user = PrincipalRef(kind: .user, name: "eic-user")
    static let role = PrincipalRef(kind: .role, name: "ops")

    static func plan(_ instances: PolicySpec.Instances = .tags(["Team": "web"]), osUsers: [String] = ["ec2-user", "ubuntu"],
                     principals: [PrincipalRef] = [user]) -> PlanFile {
        PlanFile(region: "us-east-1", iam: IAMSection(
            policies: [PolicySpec(name: name, instances: instances, osUsers: osUsers, describeInstances: true)],
            attachments: principals.isEmpty ? [] : [AttachmentSpec(policy: name, principals: principals)]))
    }

    static func planned(_ cloud: FakeCloud, _ plan: PlanFile) async throws -> (PlanResult, Observation) {
        let observer = Observer(cloud: cloud, connector: FakeConnector(), fetcher: FakeFetcher())
        let observation = try await observer.observe(plan, region: "us-east-1")
        return (planner.plan(plan, observation), observation)
    }

    /// The document the planner writes for `plan`'s policy.
    static func document(_ plan: PlanFile) -> String {
        let observation = Observation(caller: CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/operator",
                                                             userId: "AIDAFAKE"), region: "us-east-1")
        guard let spec = plan.iam?.policies.first, case .success(let text) = planner.documents(for: spec, observation).map({ $0[0].document }) else { return "" }
        return text
    }

    @Test func anAbsentPolicyIsCreatedAndAttached() async throws {
        let cloud = FakeCloud()
        await cloud.addPrincipal(Self.user)
        let (result, _) = try await Self.planned(cloud, Self.plan())
        #expect(result.actions.map(\.change) == [.create, .create])
        #expect(result.actions.map(\.address) == ["iam_policy[\(Self.name)]", "iam_attachment[\(Self.name) → user/eic-user]"])
        guard case .createPolicy(let name, _, let document, _) = result.actions[0].operation else {
            Issue.record("not a createPolicy: \(result.actions[0].operation)")
            return
        }
        #expect(name == Self.name)
        #expect(document.contains(#""aws:ResourceTag/Team":"web""#))
        #expect(result.actions[1].operation == .attachPolicy(policyArn: "arn:aws:iam::123456789012:policy/\(Self.name)", principal: Self.user))
        // Reading IAM made no change.
        #expect(await cloud.mutatingCalls.isEmpty)
    }

    @Test func anEquivalentDocumentIsANoOp() async throws {
        let cloud = FakeCloud()
        await cloud.addPrincipal(Self.user)
        // The same policy as IAM may hand it back: reordered keys, lists reordered, a one-element list for a scalar.
        let sameMeaning = """
            {"Statement":[{"Action":["ec2:DescribeInstances"],"Resource":["*"],"Effect":"Allow","Sid":"DescribeInstances"},
             {"Sid":"EC2InstanceConnectByTag","Effect":"Allow","Action":["ec2-instance-connect:SendSSHPublicKey"],
              "Resource":"arn:aws:ec2:us-east-1:123456789012:instance/*",
              "Condition":{"StringEquals":{"ec2:osuser":["ubuntu","ec2-user"],"aws:ResourceTag/Team":"web"}}}],
             "Version":"2012-10-17"}
            """
        await cloud.seedPolicy(name: Self.name, documents: [sameMeaning])
        let (result, _) = try await Self.planned(cloud, Self.plan(principals: []))
        #expect(result.actions.map(\.change) == [.noOp])
        #expect(result.actions[0].reason == .policyCurrent(version: "v1", parts: 1))
    }

    @Test func aChangedDocumentBecomesANewDefaultVersion() async throws {
        let cloud = FakeCloud()
        await cloud.seedPolicy(name: Self.name, documents: [Self.document(Self.plan(osUsers: ["ec2-user"]))])
        let (result, _) = try await Self.planned(cloud, Self.plan(principals: []))
        #expect(result.actions.map(\.change) == [.update])
        #expect(result.actions[0].operation == .updatePolicy(name: Self.name, arn: "arn:aws:iam::123456789012:policy/\(Self.name)",
                                                             document: Self.document(Self.plan()), pruneVersionId: nil))
    }

    @Test func atFiveVersionsTheOldestNonDefaultIsPruned() async throws {
        let cloud = FakeCloud()
        let old = (1...5).map { Self.document(Self.plan(osUsers: ["user\($0)"])) }
        await cloud.seedPolicy(name: Self.name, documents: old)
        // The oldest version is the default: it is never pruned; the next oldest is.
        await cloud.setDefault(Self.name, "v1")
        let (result, _) = try await Self.planned(cloud, Self.plan(principals: []))
        guard case .updatePolicy(_, _, _, let prune) = result.actions.first?.operation else {
            Issue.record("not an update: \(String(describing: result.actions.first))")
            return
        }
        #expect(prune == "v2")
        #expect(result.actions[0].reason == .policyDiffers(version: "v1", prune: "v2", parts: 1))

        // Four versions: nothing to prune.
        let fewer = FakeCloud()
        await fewer.seedPolicy(name: Self.name, documents: Array(old.prefix(4)))
        let (again, _) = try await Self.planned(fewer, Self.plan(principals: []))
        #expect(again.actions.first?.operation == .updatePolicy(name: Self.name, arn: "arn:aws:iam::123456789012:policy/\(Self.name)",
                                                                document: Self.document(Self.plan()), pruneVersionId: nil))
    }

    @Test func attachmentsAreAdditiveAndBounded() async throws {
        let cloud = FakeCloud()
        let arn = await cloud.seedPolicy(name: Self.name, documents: [Self.document(Self.plan())])
        let group = PrincipalRef(kind: .group, name: "web-operators")
        let full = PrincipalRef(kind: .role, name: "full")
        await cloud.addPrincipal(Self.user, attached: [AttachedPolicy(policyArn: arn, policyName: Self.name)])
        await cloud.addPrincipal(group, attached: [AttachedPolicy(policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess", policyName: "ReadOnlyAccess")])
        await cloud.addPrincipal(full, attached: (1...10).map { AttachedPolicy(policyArn: "arn:aws:iam::123456789012:policy/p\($0)", policyName: "p\($0)") })
        let (result, _) = try await Self.planned(cloud, Self.plan(principals: [Self.user, group, Self.role, full]))
        let attachments = result.actions.filter { $0.kind == .iamAttachment }
        #expect(attachments.map(\.change) == [.noOp, .create, .skip, .skip])
        #expect(attachments[0].reason == .policyAttached(policy: Self.name, principal: Self.user))
        #expect(attachments[2].reason == .principalMissing(Self.role))
        #expect(attachments[3].reason == .attachmentQuota(principal: full, attached: 10, limit: 10))
        #expect(result.actions.first?.change == .noOp)
        // One ListAttached*Policies per principal.
        #expect(await cloud.count("iam:ListAttachedUserPolicies") == 1)
        #expect(await cloud.count("iam:ListAttachedRolePolicies") == 2)
    }

    @Test func aPolicyByInstanceArnOverIAMsSizeLimitIsSplitIntoPartsThatEachFit() async throws {
        let ids = (1...200).map { index -> String in
            let hex = String(index, radix: 16)
            return "i-" + String(repeating: "0", count: 17 - hex.count) + hex
        }
        let cloud = FakeCloud()
        let (result, _) = try await Self.planned(cloud, Self.plan(.ids(ids), principals: []))
        let documents = result.actions.compactMap { action -> (String, String)? in
            guard case .createPolicy(let name, _, let document, _) = action.operation else { return nil }
            return (name, document)
        }
        #expect(documents.count == 3, "\(result.actions.map(\.address))")
        #expect(documents.map(\.0) == [Self.name, Self.name + "-2", Self.name + "-3"])
        #expect(documents.allSatisfy { $0.1.filter { !$0.isWhitespace }.count <= 6_144 })
        let allowed = documents.flatMap { $0.1.matches(of: #/instance\/(i-[0-9a-f]{17})/#).map { String($0.1) } }
        #expect(allowed.sorted() == ids.sorted(), "every instance is in exactly one part")
        #expect(result.actions.allSatisfy { if case .policyAbsent(_, "123456789012", 3) = $0.reason { true } else { false } }, "\(result.actions.map(\.reason))")

        // Ten instances fit, with each ARN once and sorted.
        let (small, _) = try await Self.planned(cloud, Self.plan(.ids(Array(ids.prefix(10).reversed()) + [ids[0]]), principals: []))
        guard case .createPolicy(_, _, let document, _)? = small.actions.first?.operation else {
            Issue.record("not a create")
            return
        }
        #expect(document.contains(#""Resource":["arn:aws:ec2:us-east-1:123456789012:instance/i-00000000000000001","#))
        #expect(document.components(separatedBy: "instance/i-00000000000000001").count == 2)
    }

    @Test func policyBySelectedInstancesWithNoInstancesIsASkip() async throws {
        var plan = Self.plan(.selected, principals: [])
        plan.instances = InstancesSection(select: InstanceSelection(tags: ["Team": "none"]))
        let (result, _) = try await Self.planned(FakeCloud(), plan)
        #expect(result.actions.first?.change == .skip)
        #expect(result.actions.first?.reason == .policyUnwritable(.noInstances))
    }
}
