import Testing
@testable import EICCore

/// `"cidr": "auto"`: the operator's own address becomes a rule for exactly one host — /32 for IPv4,
/// /128 for IPv6 (an IPv6 /32 would open tcp/22 to 2^96 addresses) — in plan and in verify alike.
@Suite struct OperatorAddressTests {
    @Test(arguments: [("203.0.113.7", "203.0.113.7/32"), ("2001:db8::7", "2001:db8::7/128"),
                      ("2001:DB8:0:0:0:0:0:7", "2001:db8::7/128")])
    func aHostAddressIsASingleHostCIDR(_ address: String, _ expected: String) {
        #expect(CIDR.host(address)?.text == expected)
    }

    @Test(arguments: ["", "203.0.113.7/32", "example.com", "2001:db8::/64"])
    func anythingElseIsNoAddress(_ text: String) {
        #expect(CIDR.host(text) == nil)
    }

    @Test func planAndVerifyTakeAnIPv6OperatorAddressAsA128() async throws {
        let fleet = await FakeFleet.make([.al2Old])
        await fleet.fetcher.set("https://checkip.amazonaws.com/", "2001:db8::7\n")
        let observation = try await fleet.observer().observe(FakeFleet.plan(iam: false), region: "us-east-1")
        #expect(observation.operatorCIDR == "2001:db8::7/128")
        let verify = try await fleet.observer().observeForVerify(FakeFleet.plan(iam: false), region: "us-east-1", probeHosts: false)
        #expect(verify.operatorCIDR == "2001:db8::7/128")
    }
}
