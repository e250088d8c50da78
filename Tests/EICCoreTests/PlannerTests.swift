import Testing
@testable import EICCore

/// The planner on observations made by the real Observer over the fakes (design §5, steps 1–3).
@Suite struct PlannerTests {
    static let planner = Planner(templates: FakeFleet.templates)

    static func observe(_ fleet: FakeFleet, _ plan: PlanFile) async throws -> Observation {
        try await fleet.observer().observe(plan, region: "us-east-1")
    }

    static func action(_ result: PlanResult, _ address: String) -> PlannedAction? {
        result.actions.first { $0.address == address }
    }

    @Test func sandboxDefaultMixGetsOneChangePerInstance() async throws {
        let fleet = await FakeFleet.make(FakePersonality.allCases)
        await fleet.cloud.addPrincipal(PrincipalRef(kind: .user, name: "eic-user"))
        let result = Self.planner.plan(FakeFleet.plan(), try await Self.observe(fleet, FakeFleet.plan()))

        let expected: [FakePersonality: Change] = [
            .al2Old: .create, .al2Current: .noOp, .ubuntu1604: .create, .ubuntu1804: .create, .ubuntu2004: .noOp,
            .ubuntu2204: .noOp, .al2Package1112: .update, .conflictSSHDConfig: .conflict, .conflictInclude: .conflict,
            .unreachable: .unreachable, .hostKeyChanged: .unreachable, .sudoPassword: .skip,
        ]
        let instances = result.actions.filter { $0.kind == .instance }
        #expect(instances.count == FakePersonality.allCases.count)
        for (personality, id) in zip(FakePersonality.allCases, fleet.instanceIds) {
            let action = Self.action(result, "instance[\(id)]")
            #expect(action?.change == expected[personality], "\(personality.rawValue): \(action.map { "\($0.reason)" } ?? "no action")")
        }
        let byName = Dictionary(uniqueKeysWithValues: zip(FakePersonality.allCases, fleet.instanceIds))
        func operation(_ personality: FakePersonality) -> Operation? {
            byName[personality].flatMap { Self.action(result, "instance[\($0)]")?.operation }
        }
        #expect(operation(.al2Old) == .onboardHost(instanceId: byName[.al2Old] ?? "", steps: [.install(.yum)], useSudo: true, minimumVersion: "1.1-18"))
        // Ubuntu's floor is its own (deb numbering), not Amazon Linux's rpm 1.1-18.
        #expect(operation(.ubuntu1604) == .onboardHost(instanceId: byName[.ubuntu1604] ?? "", steps: [.install(.apt)], useSudo: true,
                                                       minimumVersion: "1.1.12"))
        #expect(operation(.al2Package1112) == .onboardHost(instanceId: byName[.al2Package1112] ?? "", steps: [.upgrade(.yum)], useSudo: true,
                                                           minimumVersion: "1.1-18"))
        #expect(operation(.al2Current) == Operation.none)

        let reason = { (p: FakePersonality) in byName[p].flatMap { Self.action(result, "instance[\($0)]")?.reason } }
        #expect(PackageMinimumsTests.tooOld(reason(.al2Package1112) ?? .notContacted(.noFleetKey))?.minimum == "1.1-18")
        func foreign(_ p: FakePersonality) -> ForeignCommand? {
            if case .foreignCommand(let place) = reason(p) { return place }
            return nil
        }
        #expect(foreign(.conflictSSHDConfig)?.file == "/etc/ssh/sshd_config" && foreign(.conflictSSHDConfig)?.line == 2)
        #expect(foreign(.conflictInclude)?.file == "/etc/ssh/sshd_config.d/50-ldap.conf" && foreign(.conflictInclude)?.line == 1)
        // Where it tried and what the connector said; the view picks the "Offending" line (ReasonTextTests).
        func unreachable(_ p: FakePersonality) -> (kind: HostConnectError.Kind, target: String?, message: String)? {
            if case .unreachable(.ssh, let target, let kind, let message) = reason(p) { return (kind, target, message) }
            return nil
        }
        #expect(unreachable(.hostKeyChanged)?.kind == .hostKeyChanged)
        #expect(unreachable(.hostKeyChanged)?.message == FakeConnector.hostKeyChangedMessage)
        #expect(unreachable(.unreachable)?.kind == .unreachable && unreachable(.unreachable)?.message.contains("Connection refused") == true)
        #expect(unreachable(.unreachable)?.target?.hasPrefix("ubuntu@127.") == true, "\(String(describing: unreachable(.unreachable)?.target))")
        #expect(reason(.sudoPassword) == .cannotBecomeRoot(.sudoNeedsPassword, user: "ubuntu"))

        // 3 installs + the operator rule + the policy + the attachment; one upgrade.
        let summary = result.summary
        #expect(summary == { var s = PlanSummary([]); s.add = 6; s.change = 1; s.noOp = 3; s.conflict = 2; s.unreachable = 2; s.skip = 1; return s }())
        #expect(summary.hasChanges && summary.needsAttention)
        // Order: IAM, then security groups, then instances.
        #expect(result.actions.map(\.kind).prefix(3) == [.iamPolicy, .iamAttachment, .securityGroupRule])
    }

    @Test func planningIsAPureFunctionOfItsInputs() async throws {
        let fleet = await FakeFleet.make([.al2Old, .ubuntu2004, .conflictInclude])
        let observation = try await Self.observe(fleet, FakeFleet.plan())
        #expect(Self.planner.plan(FakeFleet.plan(), observation) == Self.planner.plan(FakeFleet.plan(), observation))
    }

    // MARK: Security groups

    static func rule(_ id: String, cidr: String? = nil, prefixList: String? = nil, protocol ipProtocol: String = "tcp",
                     from: Int? = 22, to: Int? = 22, egress: Bool = false) -> SecurityGroupRule {
        SecurityGroupRule(ruleId: id, groupId: FakeFleet.group, isEgress: egress, ipProtocol: ipProtocol, fromPort: from, toPort: to,
                          cidrIpv4: cidr, cidrIpv6: nil, prefixListId: prefixList, description: nil)
    }

    static func sgPlan(_ rules: [IngressRule]) -> PlanFile {
        PlanFile(region: "us-east-1", securityGroups: [SecurityGroupEntry(target: .groupId(FakeFleet.group), ingress: rules)])
    }

    @Test func securityGroupsAreAdditiveAndListUnmanagedRules() async throws {
        let fleet = await FakeFleet.make([], groupRules: [
            Self.rule("sgr-web", cidr: "0.0.0.0/0", from: 443, to: 443),
            Self.rule("sgr-egress", cidr: "0.0.0.0/0", protocol: "-1", from: nil, to: nil, egress: true),
        ])
        let plan = Self.sgPlan([IngressRule(port: 22, source: .cidr("198.51.100.0/24"), description: "office"),
                                IngressRule(port: 22, source: .operatorAddress)])
        let result = Self.planner.plan(plan, try await Self.observe(fleet, plan))
        #expect(result.actions.map(\.change) == [.create, .create])
        #expect(result.actions.map(\.address) == ["security_group[\(FakeFleet.group)].ingress[tcp/22 from 198.51.100.0/24]",
                                                  "security_group[\(FakeFleet.group)].ingress[tcp/22 from 203.0.113.7/32]"])
        #expect(result.actions[0].operation == .authorizeIngress(groupId: FakeFleet.group, permission: IngressPermission(
            fromPort: 22, toPort: 22, source: .cidrIpv4("198.51.100.0/24"), description: "office")))
        // The https rule is listed, never removed; egress is not ours to judge.
        #expect(result.unmanagedRules[FakeFleet.group]?.map(\.ruleId) == ["sgr-web"])
        #expect(!result.actions.contains { $0.address.contains("443") })
    }

    @Test func anExistingCoveringRuleIsANoOp() async throws {
        let fleet = await FakeFleet.make([], groupRules: [
            Self.rule("sgr-range", cidr: "203.0.113.7/32", from: 20, to: 25),
            Self.rule("sgr-all", cidr: "198.51.100.0/24", protocol: "-1", from: -1, to: -1),
            Self.rule("sgr-pl", prefixList: "pl-0e4bcff02b13bef1e"),
        ])
        await fleet.cloud.addPrefixList(ManagedPrefixList(prefixListId: "pl-0e4bcff02b13bef1e", name: "com.amazonaws.us-east-1.ec2-instance-connect"))
        let plan = Self.sgPlan([IngressRule(port: 22, source: .operatorAddress), IngressRule(port: 22, source: .cidr("198.51.100.0/24")),
                                IngressRule(port: 22, source: .prefixList("com.amazonaws.us-east-1.ec2-instance-connect"))])
        let result = Self.planner.plan(plan, try await Self.observe(fleet, plan))
        #expect(result.actions.map(\.change) == [.noOp, .noOp, .noOp])
        #expect(result.actions.map(\.reason) == [.ruleCovered(ruleId: "sgr-range"), .ruleCovered(ruleId: "sgr-all"), .ruleCovered(ruleId: "sgr-pl")])
        #expect(result.unmanagedRules.isEmpty)
        #expect(!result.summary.hasChanges)
    }

    @Test func aRuleOnAnotherPortOrProtocolDoesNotCover() {
        let wanted = IngressPermission(fromPort: 22, toPort: 22, source: .cidrIpv4("10.0.0.0/8"))
        #expect(!Self.rule("a", cidr: "10.0.0.0/8", from: 2222, to: 2222).covers(wanted))
        #expect(!Self.rule("b", cidr: "10.0.0.0/8", protocol: "udp").covers(wanted))
        #expect(!Self.rule("c", cidr: "10.0.0.0/16").covers(wanted))
        #expect(Self.rule("d", cidr: "10.0.0.0/8", protocol: "6").covers(wanted))
    }

    @Test func anUnknownPrefixListIsASkipNotAGuess() async throws {
        let fleet = await FakeFleet.make([])
        let plan = Self.sgPlan([IngressRule(port: 22, source: .prefixList("com.amazonaws.us-east-1.ec2-instance-connect")),
                                IngressRule(port: 22, source: .prefixList("pl-0123456789abcdef0"))])
        let result = Self.planner.plan(plan, try await Self.observe(fleet, plan))
        #expect(result.actions.map(\.change) == [.skip, .create])
        #expect(result.actions[0].reason == .sourceUnresolved(.prefixListMissing(name: "com.amazonaws.us-east-1.ec2-instance-connect", region: "us-east-1")))
        #expect(result.actions[1].operation == .authorizeIngress(groupId: FakeFleet.group, permission: IngressPermission(
            fromPort: 22, toPort: 22, source: .prefixList("pl-0123456789abcdef0"), description: "EC2 Instance Connect")))
    }

    @Test func ipRangesBecomeOneRulePerPrefixOfTheRegion() async throws {
        let fleet = await FakeFleet.make([], groupRules: [Self.rule("sgr-1", cidr: "18.206.107.24/29")])
        let source = "https://ip-ranges.example/ip-ranges.json"
        await fleet.fetcher.set(source, """
            {"syncToken": "1700000000", "createDate": "2026-11-01-00-00-00",
             "prefixes": [{"ip_prefix": "18.206.107.24/29", "region": "us-east-1", "service": "EC2_INSTANCE_CONNECT"},
                          {"ip_prefix": "3.16.146.0/29", "region": "us-east-2", "service": "EC2_INSTANCE_CONNECT"},
                          {"ip_prefix": "44.192.0.0/11", "region": "us-east-1", "service": "EC2"},
                          {"ip_prefix": "3.30.0.0/29", "region": "us-east-1", "service": "EC2_INSTANCE_CONNECT"}],
             "ipv6_prefixes": [{"ipv6_prefix": "2600:1F18:6fe3:8C00::/59", "region": "us-east-1", "service": "EC2_INSTANCE_CONNECT"}]}
            """)
        let plan = Self.sgPlan([IngressRule(port: 22, source: .ipRanges(service: "EC2_INSTANCE_CONNECT", source: source))])
        let observation = try await Self.observe(fleet, plan)
        #expect(observation.ipRanges?.syncToken == "1700000000")
        let result = Self.planner.plan(plan, observation)
        #expect(result.actions.map(\.address) == [
            "security_group[\(FakeFleet.group)].ingress[tcp/22 from 18.206.107.24/29]",
            "security_group[\(FakeFleet.group)].ingress[tcp/22 from 3.30.0.0/29]",
            "security_group[\(FakeFleet.group)].ingress[tcp/22 from 2600:1f18:6fe3:8c00::/59]",
        ])
        #expect(result.actions.map(\.change) == [.noOp, .create, .create])
        #expect(result.actions[2].operation == .authorizeIngress(groupId: FakeFleet.group, permission: IngressPermission(
            fromPort: 22, toPort: 22, source: .cidrIpv6("2600:1f18:6fe3:8c00::/59"), description: "EC2_INSTANCE_CONNECT ranges (syncToken 1700000000)")))
    }
}

/// `"groupsOf": "instances"` on a group shared with instances the plan did not select: the plan says
/// which other instances the new rule exposes, with one more DescribeInstances whatever the fleet size.
@Suite struct SharedGroupExposureTests {
    static func outsider(_ id: String) -> CloudInstance {
        CloudInstance(instanceId: id, state: "running", imageId: "ami-0other", privateIpAddress: "10.9.0.1", publicIpAddress: nil,
                      availabilityZone: "us-east-1a", platformDetails: "Linux/UNIX", keyName: nil, vpcId: "vpc-0fake", subnetId: nil,
                      securityGroupIds: [FakeFleet.group], tags: [Tag(key: "Fleet", value: "someone-else")])
    }

    @Test func aRuleOnASharedGroupNamesTheOtherInstancesItExposes() async throws {
        let fleet = await FakeFleet.make([.al2Old, .ubuntu2004])
        await fleet.cloud.addInstances([Self.outsider("i-0ffffffffffffff01"), Self.outsider("i-0ffffffffffffff02")])
        let plan = FakeFleet.plan(iam: false)
        let observation = try await fleet.observer().observe(plan, region: "us-east-1")
        #expect(observation.instances.count == 2, "the outsiders are not selected")
        #expect(observation.groupMembersOutsideSelection == [FakeFleet.group: ["i-0ffffffffffffff01", "i-0ffffffffffffff02"]])
        let result = Planner(templates: FakeFleet.templates).plan(plan, observation)
        #expect(result.exposedOutsideSelection == [FakeFleet.group: ["i-0ffffffffffffff01", "i-0ffffffffffffff02"]])
    }

    @Test func nothingIsReportedWhenNoRuleIsAddedOrNobodyElseIsInTheGroup() async throws {
        let alone = await FakeFleet.make([.al2Old])
        let plan = FakeFleet.plan(iam: false)
        let observation = try await alone.observer().observe(plan, region: "us-east-1")
        #expect(Planner(templates: FakeFleet.templates).plan(plan, observation).exposedOutsideSelection.isEmpty)

        var converged = observation
        converged.groupMembersOutsideSelection = [FakeFleet.group: ["i-0ffffffffffffff01"]]
        converged.groupRules[FakeFleet.group] = [SecurityGroupRule(ruleId: "sgr-1", groupId: FakeFleet.group, isEgress: false, ipProtocol: "tcp",
                                                                   fromPort: 22, toPort: 22, cidrIpv4: "203.0.113.7/32", cidrIpv6: nil,
                                                                   prefixListId: nil, description: "operator")]
        #expect(Planner(templates: FakeFleet.templates).plan(plan, converged).exposedOutsideSelection.isEmpty)
    }
}
