import Testing
@testable import EICCore

/// What the observer accepts from the operator-address service and ip-ranges.json (issue 19, items 17, 18).
@Suite struct ObserverSourcesTests {
    static func autoPlan() -> PlanFile {
        PlanFile(region: "us-east-1", securityGroups: [SecurityGroupEntry(target: .groupId(FakeFleet.group),
                                                                          ingress: [IngressRule(port: 22, source: .operatorAddress)])])
    }

    @Test(arguments: ["203.0.113.7\r\n", "203.0.113.7 \r\n", "\t203.0.113.7\n\n"])
    func theOperatorAddressIsReadPastTrailingWhitespaceAndCRLF(_ answer: String) async throws {
        let fleet = await FakeFleet.make([])
        await fleet.fetcher.set("https://checkip.amazonaws.com/", answer)
        let observation = try await PlannerTests.observe(fleet, Self.autoPlan())
        #expect(observation.operatorCIDR == "203.0.113.7/32")
    }

    @Test func anOperatorAddressAnswerPastOneKiBIsRefused() async throws {
        let fleet = await FakeFleet.make([])
        await fleet.fetcher.set("https://checkip.amazonaws.com/", "203.0.113.7" + String(repeating: " ", count: 2000))
        await #expect(throws: ObserveError.self) { _ = try await PlannerTests.observe(fleet, Self.autoPlan()) }
    }

    static let source = "https://ip-ranges.example/ip-ranges.json"

    static func ranges(_ syncToken: String = "1700000000", ipv4: [String], ipv6: [String] = []) -> String {
        let v4 = ipv4.map { #"{"ip_prefix": "\#($0)", "region": "us-east-1", "service": "EC2_INSTANCE_CONNECT"}"# }
        let v6 = ipv6.map { #"{"ipv6_prefix": "\#($0)", "region": "us-east-1", "service": "EC2_INSTANCE_CONNECT"}"# }
        return #"{"syncToken": \#(syncToken), "createDate": "2026-11-01-00-00-00", "prefixes": [\#(v4.joined(separator: ","))], "ipv6_prefixes": [\#(v6.joined(separator: ","))]}"#
    }

    static func rangesPlan() -> PlanFile {
        PlannerTests.sgPlan([IngressRule(port: 22, source: .ipRanges(service: "EC2_INSTANCE_CONNECT", source: source))])
    }

    @Test(arguments: [(#""1700000000""#, ["3.30.0.0/29", "0.0.0.0/0"], [String]()), (#""1700000000""#, ["3.30.0.0/29"], ["::/0"]),
                      (#""17000 00000 (evil)""#, ["3.30.0.0/29"], []), (#""""#, ["3.30.0.0/29"], []),
                      ("\"" + String(repeating: "1", count: 21) + "\"", ["3.30.0.0/29"], [])])
    func ipRangesWithTheWholeAddressSpaceOrAForeignSyncTokenAreRefused(_ token: String, _ ipv4: [String], _ ipv6: [String]) async throws {
        let fleet = await FakeFleet.make([])
        await fleet.fetcher.set(Self.source, Self.ranges(token, ipv4: ipv4, ipv6: ipv6))
        let error = await #expect(throws: ObserveError.self) { _ = try await PlannerTests.observe(fleet, Self.rangesPlan()) }
        #expect(error?.reason.contains("syncToken") == true || error?.reason.contains("whole address space") == true)
        // The numeric form AWS has used is accepted.
        await fleet.fetcher.set(Self.source, Self.ranges("1700000000", ipv4: ["3.30.0.0/29"]))
        #expect(try await PlannerTests.observe(fleet, Self.rangesPlan()).ipRanges?.syncToken == "1700000000")
    }

    static func prefixes(_ count: Int, from second: Int = 0) -> [String] {
        (0..<count).map { "10.\(second + $0 / 256).\($0 % 256).0/24" }
    }

    @Test func rulesPastTheGroupQuotaAreAllSkippedBeforeApply() async throws {
        let existing = (0..<10).map { PlannerTests.rule("sgr-\($0)", cidr: "192.0.2.\($0)/32") }
        let fleet = await FakeFleet.make([], groupRules: existing)
        await fleet.fetcher.set(Self.source, Self.ranges(ipv4: Self.prefixes(51), ipv6: ["2600:1f18::/59"]))
        let result = PlannerTests.planner.plan(Self.rangesPlan(), try await PlannerTests.observe(fleet, Self.rangesPlan()))
        let ipv4 = result.actions.filter { !$0.address.contains("2600") }
        #expect(ipv4.count == 51)
        #expect(ipv4.allSatisfy { $0.change == .skip && $0.operation == .none })
        #expect(ipv4.first?.reason == .ruleQuota(groupId: FakeFleet.group, family: .ipv4, existing: 10, added: 51, limit: 60, region: "us-east-1"))
        // IPv6 rules count separately: the one IPv6 range is still added.
        #expect(result.actions.filter { $0.address.contains("2600") }.map(\.change) == [.create])
    }

    @Test func rulesUpToTheQuotaAreCreated() async throws {
        let fleet = await FakeFleet.make([], groupRules: (0..<10).map { PlannerTests.rule("sgr-\($0)", cidr: "192.0.2.\($0)/32") })
        await fleet.fetcher.set(Self.source, Self.ranges(ipv4: Self.prefixes(50)))
        let result = PlannerTests.planner.plan(Self.rangesPlan(), try await PlannerTests.observe(fleet, Self.rangesPlan()))
        #expect(result.actions.map(\.change) == Array(repeating: .create, count: 50))
    }
}
