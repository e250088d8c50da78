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
}
