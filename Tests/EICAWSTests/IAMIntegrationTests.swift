import EICSandbox
import EICAWS
import EICCore
import EICTestSupport
import Foundation
import Testing

/// Every IAM and EC2 Instance Connect operation eicsetup uses, against moto with authentication on.
@Suite struct IAMIntegrationTests {
    static func document(_ users: [String]) -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2-instance-connect:SendSSHPublicKey","#
            + #""Resource":"arn:aws:ec2:*:*:instance/*","Condition":{"StringEquals":{"ec2:osuser":["#
            + users.map { "\"\($0)\"" }.joined(separator: ",") + "]}}}]}"
    }

    @Test func policiesAreCreatedReadAndVersioned() async throws {
        let peer = try await MotoPeer.shared()
        let iam = IAMClient(client: peer.client())
        let policyName = TestNames.unique("EICTest-versions")
        let created = try await iam.createPolicy(name: policyName, document: Self.document(["ec2-user"]),
                                                 description: "test", tags: [(key: "managed-by", value: "eicsetup")])
        #expect(created.defaultVersionId == "v1")
        let fetched = try await iam.getPolicy(arn: created.arn)
        #expect(fetched.name == policyName)
        // The owner tag goes out with CreatePolicy and comes back from GetPolicy: how eicsetup tells its
        // own policies from another team's of the same name.
        #expect(fetched.isManagedByEICSetup, "tags: \(fetched.tags)")
        let untagged = try await iam.createPolicy(name: policyName + "-theirs", document: Self.document(["ec2-user"]))
        #expect(!(try await iam.getPolicy(arn: untagged.arn)).isManagedByEICSetup)
        let v1 = try await iam.getPolicyVersion(arn: created.arn, versionId: "v1")
        #expect(v1.isDefault)
        #expect(v1.document?.contains("\"ec2:osuser\"") == true, "the document comes back URL-decoded")

        let v2 = try await iam.createPolicyVersion(arn: created.arn, document: Self.document(["ec2-user", "ubuntu"]),
                                                   setAsDefault: true)
        #expect(v2.versionId == "v2")
        #expect(try await iam.getPolicy(arn: created.arn).defaultVersionId == "v2")
        #expect(Set(try await iam.listPolicyVersions(arn: created.arn).map(\.versionId)) == ["v1", "v2"])
        try await iam.deletePolicyVersion(arn: created.arn, versionId: "v1")
        #expect(try await iam.listPolicyVersions(arn: created.arn).map(\.versionId) == ["v2"])
    }

    @Test func attachmentsToUsersGroupsAndRolesAreListedAcrossPages() async throws {
        let peer = try await MotoPeer.shared()
        let provisioning = IAMProvisioning(client: peer.client())
        let suffix = TestNames.unique("run")
        _ = try await provisioning.createUserWithKey(name: "attach-user-\(suffix)")
        try await provisioning.createGroup(name: "attach-group-\(suffix)")
        try await provisioning.createRole(name: "attach-role-\(suffix)", trustPolicy:
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        let iam = IAMClient(client: peer.client())
        var arns: [String] = []
        for index in 1...3 {
            arns.append(try await iam.createPolicy(name: "EICTest-attach-\(index)-\(suffix)", document: Self.document(["u\(index)"])).arn)
        }
        for kind in PrincipalKind.allCases {
            let name = "attach-\(kind.rawValue.lowercased())-\(suffix)"
            let principal = try await iam.getPrincipal(kind, name: name)
            #expect(principal.name == name)
            #expect(principal.arn.hasSuffix(":\(kind.rawValue.lowercased())/\(name)"))
            for arn in arns { try await iam.attachPolicy(arn: arn, to: kind, name: name) }
            let metrics = AWSCallMetrics()
            let attached = try await IAMClient(client: peer.client(metrics: metrics))
                .listAttachedPolicies(of: kind, name: name, pageSize: 2)
            #expect(Set(attached.map(\.policyArn)) == Set(arns))
            #expect(await metrics.counts["iam:ListAttached\(kind.rawValue)Policies"] == 2, "3 policies at 2 a page")
        }
    }

    @Test func aMissingPrincipalIsNoSuchEntity() async throws {
        let peer = try await MotoPeer.shared()
        do {
            _ = try await IAMClient(client: peer.client()).getPrincipal(.user, name: "nobody-here")
            Issue.record("a missing user was found")
        } catch {
            #expect(error.code == "NoSuchEntity")
        }
    }

    @Test func sendSSHPublicKeyIsAllowedForTheAdminAndDeniedWithoutPolicy() async throws {
        let peer = try await MotoPeer.shared()
        let net = try await EC2IntegrationTests.network(peer, octet: 21)
        let instance = try await EC2Provisioning(client: peer.client()).runInstance(
            imageId: net.imageId, subnetId: net.subnetId, privateIp: "10.21.1.10", securityGroupIds: [net.groupId], tags: [])
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm0rXZ9Z3Q1c2Jy3fQm3l8v2p8w0B5cS9Jp1ZB3bq2N eicsetup-test"
        let allowed = try await InstanceConnectClient(client: peer.client())
            .sendSSHPublicKey(instanceId: instance, osUser: "ec2-user", publicKey: key, availabilityZone: "us-east-1a")
        #expect(allowed.success)
        #expect(!allowed.requestId.isEmpty)

        let nobody = try await IAMProvisioning(client: peer.client()).createUserWithKey(name: TestNames.unique("eic-nobody"))
        do {
            _ = try await InstanceConnectClient(client: peer.client(credentials: nobody))
                .sendSSHPublicKey(instanceId: instance, osUser: "ec2-user", publicKey: key)
            Issue.record("a user without policy pushed a key")
        } catch {
            #expect(error.code == "AccessDeniedException")
            #expect(error.attempts == 1)
        }
    }
}
