import Testing
@testable import EICCore

/// The fakes behave like the services where the core depends on it; otherwise the other tests prove little.
@Suite struct FakeCloudTests {
    static func kind(_ body: () async throws -> Void) async -> CloudError.Kind? {
        do {
            try await body()
            return nil
        } catch let error as CloudError {
            return error.kind
        } catch {
            return .other
        }
    }

    @Test func duplicateIngressIsRefusedLikeEC2() async throws {
        let cloud = FakeCloud()
        await cloud.addGroup("sg-0123456789abcdef0")
        let permission = IngressPermission(fromPort: 22, toPort: 22, source: .cidrIpv4("10.0.0.0/8"))
        try await cloud.authorizeIngress(groupId: "sg-0123456789abcdef0", permissions: [permission])
        #expect(await Self.kind { try await cloud.authorizeIngress(groupId: "sg-0123456789abcdef0", permissions: [permission]) } == .duplicate)
        #expect(await Self.kind { try await cloud.authorizeIngress(groupId: "sg-00000000000000bad", permissions: [permission]) } == .notFound)
        #expect(await cloud.ingressRules(of: "sg-0123456789abcdef0").count == 1)
        #expect(await cloud.mutatingCalls.count == 3)
    }

    @Test func policiesKeepAtMostFiveVersions() async throws {
        let cloud = FakeCloud()
        let policy = try await cloud.createPolicy(name: "p", document: "{}", description: nil, tags: [])
        #expect(await Self.kind { _ = try await cloud.createPolicy(name: "p", document: "{}", description: nil, tags: []) } == .alreadyExists)
        for _ in 2...5 { _ = try await cloud.createPolicyVersion(arn: policy.arn, document: "{}", setAsDefault: true) }
        #expect(await Self.kind { _ = try await cloud.createPolicyVersion(arn: policy.arn, document: "{}", setAsDefault: true) } == .limitExceeded)
        #expect(await Self.kind { try await cloud.deletePolicyVersion(arn: policy.arn, versionId: "v5") } == .other)  // the default
        try await cloud.deletePolicyVersion(arn: policy.arn, versionId: "v1")
        let versions = try await cloud.policyVersions(arn: policy.arn)
        #expect(versions.map(\.versionId) == ["v5", "v4", "v3", "v2"])
        #expect(versions.filter(\.isDefault).map(\.versionId) == ["v5"])
        #expect(try await cloud.policy(arn: policy.arn)?.defaultVersionId == "v5")
    }

    @Test func attachmentsNeedAPrincipalAndStopAtTen() async throws {
        let cloud = FakeCloud()
        let user = PrincipalRef(kind: .user, name: "u")
        let arns = (1...11).map { "arn:aws:iam::123456789012:policy/p\($0)" }
        for index in 1...11 { await cloud.seedPolicy(name: "p\(index)", documents: ["{}"]) }
        #expect(try await cloud.attachedPolicies(of: user) == nil)
        #expect(await Self.kind { try await cloud.attachPolicy(arn: arns[0], to: user) } == .notFound)
        await cloud.addPrincipal(user)
        for arn in arns.prefix(10) { try await cloud.attachPolicy(arn: arn, to: user) }
        try await cloud.attachPolicy(arn: arns[0], to: user)  // a repeat is a success, as in IAM
        #expect(await Self.kind { try await cloud.attachPolicy(arn: arns[10], to: user) } == .limitExceeded)
        #expect(try await cloud.attachedPolicies(of: user)?.count == 10)
        #expect(await cloud.count("iam:AttachUserPolicy") == 13)
    }

    @Test func sendSSHPublicKeyRecordsTheKeyForAKnownInstance() async throws {
        let fleet = await FakeFleet.make([.al2Current])
        try await fleet.cloud.sendSSHPublicKey(instanceId: fleet.instanceIds[0], osUser: "ec2-user", publicKey: "ssh-ed25519 AAAA", availabilityZone: nil)
        #expect(await fleet.cloud.sentKeys == [FakeCloud.SentKey(instanceId: fleet.instanceIds[0], osUser: "ec2-user", publicKey: "ssh-ed25519 AAAA")])
        #expect(await Self.kind {
            try await fleet.cloud.sendSSHPublicKey(instanceId: "i-00000000000000bad", osUser: "ec2-user", publicKey: "k", availabilityZone: nil)
        } == .notFound)
    }

    @Test func fakeHostsAnswerTheProbeAndChangeOnInstall() async throws {
        let machine = FakeMachine("al2-old", try #require(FakePersonality.al2Old.state))
        let session = FakeSession(machine, HostTarget(address: "127.0.0.1", port: 22, user: "ec2-user", identityFile: nil,
                                                      knownHostsPath: "/dev/null", hostKeys: .strict))
        let before = try await HostInspector.inspect(session)
        #expect(before.distribution == .amazonLinux2)
        #expect(before.classification == HostFacts.Classification.none)
        #expect(before.privilege == .sudo)
        for command in HostCommands.commands(for: .install(.yum), useSudo: true) {
            #expect(try await session.run(command).exitStatus == 0)
        }
        let after = try await HostInspector.inspect(session)
        #expect(after.classification == .eic)
        #expect(after.package.version == "1.1-19.amzn2")
        #expect(try await session.run(RemoteCommand(arguments: ["rm", "-rf", "/"])).exitStatus == 127)
        await session.close()
        await #expect(throws: HostConnectError.self) { _ = try await session.run(HostProbe.command) }
        #expect(machine.commandKinds == [.probe, .install, .probe, .unknown])
    }
}
