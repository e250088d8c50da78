import Testing
@testable import EICCore

/// The Observer over the fakes: a fixed number of AWS calls whatever the fleet size, one SSH session per
/// host, and one bad host never stopping the others (design §5, steps 1–2).
@Suite struct ObserverTests {
    static func fleet(_ count: Int) async -> FakeFleet {
        let mix: [FakePersonality] = [.al2Old, .ubuntu2004, .al2Package1112]
        return await FakeFleet.make((0..<count).map { mix[$0 % mix.count] })
    }

    static func callNames(_ size: Int) async throws -> [String] {
        let fleet = await fleet(size)
        await fleet.cloud.addPrincipal(PrincipalRef(kind: .user, name: "eic-user"))
        let observation = try await fleet.observer().observe(FakeFleet.plan(), region: "us-east-1")
        #expect(observation.instances.count == size)
        #expect(observation.instances.allSatisfy { if case .facts = $0.host { return true }; return false })
        #expect(fleet.connector.opens.count == size)
        return await fleet.cloud.calls.map(\.name)
    }

    @Test func awsCallsDoNotGrowWithTheFleet() async throws {
        let small = try await Self.callNames(3)
        let large = try await Self.callNames(300)
        #expect(small == large)
        #expect(small == ["sts:GetCallerIdentity", "ec2:DescribeInstances", "ec2:DescribeImages", "ec2:DescribeSecurityGroupRules",
                          "ec2:DescribeInstances",
                          "iam:GetPolicy", "iam:ListAttachedUserPolicies"])
    }

    @Test func anUnreachableHostDoesNotStopTheOthers() async throws {
        let fleet = await FakeFleet.make([.unreachable, .al2Old, .hostKeyChanged, .ubuntu2204, .unreachable])
        let sessions = HostSessions(connector: fleet.connector, limit: 10) { _ in true }
        let observation = try await fleet.observer(parallelism: 2).observe(FakeFleet.plan(iam: false), region: "us-east-1", into: sessions)
        let kinds = observation.instances.map { instance -> String in
            switch instance.host {
            case .facts(let facts): return facts.osID ?? "?"
            case .unreachable(let error): return error.kind.rawValue
            case .agentUnavailable: return "no-agent"
            case .probeFailed: return "probe-failed"
            case .notProbed: return "not-probed"
            }
        }
        #expect(kinds == ["unreachable", "amzn", "hostKeyChanged", "ubuntu", "unreachable"])
        // Sessions are kept for the reachable hosts only, for apply to reuse.
        #expect(sessions.keptIds == [fleet.instanceIds[1], fleet.instanceIds[3]])
        await sessions.closeAll()
        // The target is known even for a host that refused, so the plan can say where.
        #expect(observation.instances[2].target?.displayName == "ec2-user@127.0.1.3:22")
    }

    @Test func eachHostIsProbedOnceOverOneSession() async throws {
        let fleet = await FakeFleet.make([.al2Old, .ubuntu1804])
        _ = try await fleet.observer().observe(FakeFleet.plan(iam: false), region: "us-east-1")
        #expect(fleet.connector.openSessions == 0)
        for id in fleet.instanceIds {
            #expect(fleet.machines[id]?.commandKinds == [.probe])
        }
        #expect(fleet.connector.opens.sorted { $0.address < $1.address }.map(\.user) == ["ec2-user", "ubuntu"])
    }

    @Test func withoutAnAMITheLoginUsersAreTriedInOrder() async throws {
        let fleet = await FakeFleet.make([.ubuntu2004])
        // DescribeImages fails (e.g. a deregistered AMI): both users are tried, ec2-user first.
        await fleet.cloud.inject(.accessDenied, on: "ec2:DescribeImages")
        let observation = try await fleet.observer().observe(FakeFleet.plan(iam: false), region: "us-east-1")
        #expect(fleet.connector.opens.map(\.user) == ["ec2-user", "ubuntu"])
        #expect(observation.instances.first?.target?.user == "ubuntu")
    }

    @Test func withoutAnAMITheUserThatWorkedOnItComesFirstForItsOtherInstances() async throws {
        let fleet = await FakeFleet.make(Array(repeating: .ubuntu2004, count: 6) + [.al2Current, .al2Current])
        await fleet.cloud.inject(.accessDenied, on: "ec2:DescribeImages")
        // One at a time, so the order is defined: only the first Ubuntu instance pays for trying ec2-user.
        let observation = try await fleet.observer(parallelism: 1).observe(FakeFleet.plan(iam: false), region: "us-east-1")
        #expect(fleet.connector.opens.map(\.user) == ["ec2-user"] + Array(repeating: "ubuntu", count: 6) + ["ec2-user", "ec2-user"])
        #expect(observation.instances.map { $0.target?.user } == Array(repeating: "ubuntu", count: 6) + ["ec2-user", "ec2-user"])
    }

    @Test func stoppedInstancesAreNotContacted() async throws {
        let fleet = await FakeFleet.make([])
        await fleet.cloud.addInstances([CloudInstance(instanceId: "i-0000000000000000a", state: "stopped", imageId: "ami-1", privateIpAddress: "127.0.9.9",
                                                      publicIpAddress: nil, availabilityZone: nil, platformDetails: nil, keyName: nil, vpcId: nil,
                                                      subnetId: nil, securityGroupIds: [], tags: [Tag(key: "Fleet", value: "fake")])])
        let plan = FakeFleet.plan(iam: false, securityGroups: false)
        let observation = try await fleet.observer().observe(plan, region: "us-east-1")
        #expect(fleet.connector.opens.isEmpty)
        let action = Planner(templates: FakeFleet.templates).plan(plan, observation).actions.first
        #expect(action?.change == .skip)
        #expect(action?.reason == .notContacted(.notRunning(state: "stopped")))
    }

    @Test func aRunningInstanceWithoutThePlansKindOfAddressIsNotContacted() async throws {
        let fleet = await FakeFleet.make([])
        await fleet.cloud.addInstances([CloudInstance(instanceId: "i-0000000000000000a", state: "running", imageId: "ami-1", privateIpAddress: "127.0.9.9",
                                                      publicIpAddress: nil, availabilityZone: nil, platformDetails: nil, keyName: nil, vpcId: nil,
                                                      subnetId: nil, securityGroupIds: [], tags: [Tag(key: "Fleet", value: "fake")])])
        var plan = FakeFleet.plan(iam: false, securityGroups: false)
        plan.instances?.ssh.address = .publicIP
        let observation = try await fleet.observer().observe(plan, region: "us-east-1")
        #expect(fleet.connector.opens.isEmpty)
        let action = Planner(templates: FakeFleet.templates).plan(plan, observation).actions.first
        #expect(action?.change == .skip)
        #expect(action?.reason == .notContacted(.noAddress(publicIP: true)))
    }

    @Test func aFailedAWSReadNamesTheStep() async throws {
        let fleet = await FakeFleet.make([.al2Old])
        await fleet.cloud.inject(.throttled, on: "ec2:DescribeSecurityGroupRules")
        do {
            _ = try await fleet.observer().observe(FakeFleet.plan(), region: "us-east-1")
            Issue.record("observe should have failed")
        } catch {
            #expect(error.step == "read the security group rules (ec2:DescribeSecurityGroupRules)")
            #expect(error.description.contains("injected fault"))
        }
    }

    @Test func fingerprintsChangeOnlyForWhatChanged() async throws {
        let fleet = await FakeFleet.make([.al2Old, .al2Current])
        await fleet.cloud.addPrincipal(PrincipalRef(kind: .user, name: "eic-user"))
        let first = try await fleet.observer().observe(FakeFleet.plan(), region: "us-east-1").fingerprints()
        let again = try await fleet.observer().observe(FakeFleet.plan(), region: "us-east-1").fingerprints()
        #expect(first == again)
        fleet.machines[fleet.instanceIds[0]]?.update { $0.packageVersion = "1.1-19.amzn2"; $0.eicConfigured = true }
        await fleet.cloud.addGroup(FakeFleet.group, rules: [PlannerTests.rule("sgr-new", cidr: "10.0.0.0/8")])
        let later = try await fleet.observer().observe(FakeFleet.plan(), region: "us-east-1").fingerprints()
        let changed = Set(first.keys.filter { first[$0] != later[$0] })
        #expect(changed == ["instance[\(fleet.instanceIds[0])]", "security_group[\(FakeFleet.group)]"])
    }
}
