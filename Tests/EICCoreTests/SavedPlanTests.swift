import Foundation
import Testing
@testable import EICCore

/// Issue 19, item 1: a saved plan carries out exactly what was reviewed, or is refused naming what differs.
@Suite struct SavedPlanTests {
    static let text = """
    { "version": 1, "region": "us-east-1",
      "securityGroups": [ { "groupsOf": "instances", "ingress": [ { "port": 22, "cidr": "${ADMIN_CIDR}" } ] } ],
      "instances": { "select": { "tags": { "Fleet": "fake" } }, "ssh": { "identityFile": "/keys/fleet.pem" } } }
    """

    /// A MAC stand-in keyed by a "secret": the command layer uses HMAC-SHA-256, the core only needs a function.
    static func mac(_ secret: String) -> ([UInt8]) -> String {
        { bytes in String(Observation.hash(secret + String(decoding: bytes, as: UTF8.self))) }
    }

    static func save(_ environment: [String: String]) async throws -> (SavedPlan, FakeFleet) {
        let (plan, variables) = try PlanDecoder(environment: environment).decodeRecordingVariables(text, file: "p.json")
        let fleet = await FakeFleet.make([.al2Current])
        let observation = try await fleet.observer().observe(plan, region: "us-east-1")
        let result = PlannerTests.planner.plan(plan, observation)
        return (SavedPlan(planFile: "/plans/p.json", planText: text, variables: variables, plan: plan, observation: observation,
                          result: result, createdAt: "2026-12-05T00:00:00Z"), fleet)
    }

    @Test func theSavedValuesAreAppliedNotTheEnvironmentsAndAChangedVariableIsNamed() async throws {
        let (saved, fleet) = try await Self.save(["ADMIN_CIDR": "203.0.113.7/32"])
        #expect(saved.variables == ["ADMIN_CIDR": "203.0.113.7/32"])
        let rule = try #require(saved.actions.first { $0.kind == .securityGroupRule })
        #expect(rule.change == .create && rule.address.hasSuffix("[tcp/22 from 203.0.113.7/32]"), "\(rule.address)")

        // The repro: ADMIN_CIDR=0.0.0.0/0 at apply time. Refused before anything is observed, naming the variable.
        #expect(saved.refusal(environment: ["ADMIN_CIDR": "0.0.0.0/0"], planFileNow: Self.text) == .environmentChanged(["ADMIN_CIDR"]))
        // Unset (another shell, CI): the saved value is the reviewed one; the same value is no difference.
        #expect(saved.refusal(environment: [:], planFileNow: Self.text) == nil)
        #expect(saved.refusal(environment: ["ADMIN_CIDR": "203.0.113.7/32"], planFileNow: nil) == nil)
        // The plan file edited since.
        let edited = Self.text.replacingOccurrences(of: "${ADMIN_CIDR}", with: "0.0.0.0/0")
        #expect(saved.refusal(environment: [:], planFileNow: edited) == .planFileChanged("/plans/p.json"))

        // Planned again from the saved plan values and a fresh observation: nothing differs, and no 0.0.0.0/0 anywhere.
        let again = try await fleet.observer().observe(saved.plan, region: "us-east-1")
        let fresh = PlannerTests.planner.plan(saved.plan, again)
        #expect(saved.refusal(observation: again, fresh: fresh) == nil)
        #expect(!saved.actions.contains { $0.address.contains("0.0.0.0/0") })

        // Planned from the environment's new value, the actions differ and are named.
        let wider = try PlanDecoder(environment: ["ADMIN_CIDR": "0.0.0.0/0"]).decode(Self.text, file: "p.json")
        let widerResult = PlannerTests.planner.plan(wider, again)
        guard case .actionsChanged(let addresses)? = saved.refusal(observation: again, fresh: widerResult) else {
            Issue.record("other actions were not refused")
            return
        }
        #expect(addresses.contains(rule.address) && addresses.contains { $0.contains("0.0.0.0/0") })
    }

    @Test func aChangedFleetIsNamed() async throws {
        let (saved, fleet) = try await Self.save(["ADMIN_CIDR": "203.0.113.7/32"])
        let group = FakeFleet.group
        try await fleet.cloud.authorizeIngress(groupId: group, permissions: [
            IngressPermission(fromPort: 22, toPort: 22, source: .cidrIpv4("198.51.100.0/24"), description: nil)])
        let again = try await fleet.observer().observe(saved.plan, region: "us-east-1")
        let refusal = saved.refusal(observation: again, fresh: PlannerTests.planner.plan(saved.plan, again))
        #expect(refusal == .fleetChanged(["security_group[\(group)]"]))
        var elsewhere = again
        elsewhere.region = "eu-west-1"
        #expect(saved.refusal(observation: elsewhere, fresh: PlannerTests.planner.plan(saved.plan, elsewhere))
                == .regionChanged(saved: "us-east-1", now: "eu-west-1"))
    }

    @Test func anEditedOrForeignSavedPlanIsRefused() async throws {
        let (saved, _) = try await Self.save(["ADMIN_CIDR": "203.0.113.7/32"])
        let sealed = try SealedSavedPlan.seal(saved, mac: Self.mac("mine"))
        #expect(SealedSavedPlan.looksSaved(sealed))
        #expect(try SealedSavedPlan.open(sealed, file: "s", mac: Self.mac("mine")) == saved)
        // Format 4 stores the typed reasons and states, not sentences.
        #expect(SealedSavedPlan.currentFormat == 4)
        #expect(sealed.contains(#""ruleMissing" : {"#) && sealed.contains(#""configured" : {"#) && !sealed.contains("is not allowed yet"))
        // Re-indented by hand: the same content still verifies.
        let reindented = sealed.replacingOccurrences(of: "\n  ", with: "\n\t")
        #expect(try SealedSavedPlan.open(reindented, file: "s", mac: Self.mac("mine")) == saved)

        func refusal(_ text: String, _ secret: String = "mine") -> SavedPlanRefusal? {
            do {
                _ = try SealedSavedPlan.open(text, file: "s", mac: Self.mac(secret))
                return nil
            } catch {
                if case .savedPlanRefused(_, let refusal) = error { return refusal }
                return nil
            }
        }
        // The reviewed CIDR widened in both the values and the actions: refused as tampered.
        let widened = sealed.replacingOccurrences(of: "203.0.113.7/32", with: "0.0.0.0/0")
        #expect(widened != sealed)
        #expect(refusal(widened) == .tampered)
        #expect(refusal(sealed, "someone else's key") == .tampered)
        let unsealed = sealed.replacingOccurrences(of: #""mac" : ""#, with: #""mac_was" : ""#)
        #expect(refusal(unsealed) == .tampered)
        #expect(refusal(sealed.replacingOccurrences(of: #""format_version" : \#(SealedSavedPlan.currentFormat)"#, with: #""format_version" : 2"#)) == .otherFormat(2))
        // A format-2 file (actions with string addresses) is refused as another format, not as unreadable.
        let formatTwo = sealed.replacingOccurrences(of: #""format_version" : \#(SealedSavedPlan.currentFormat)"#, with: #""format_version" : 2"#)
            .replacingOccurrences(of: #""target" : {"#, with: #""address" : "x", "was" : {"#)
        #expect(refusal(formatTwo) == .otherFormat(2))
        // A format-3 file (reasons and states as sentences) is refused as another format too.
        let formatThree = sealed.replacingOccurrences(of: #""format_version" : \#(SealedSavedPlan.currentFormat)"#, with: #""format_version" : 3"#)
            .replacingOccurrences(of: #""reason" : {"#, with: #""reason" : "inbound tcp/22 is not allowed yet", "was" : {"#)
        #expect(formatThree.contains(#""reason" : "inbound"#))
        #expect(refusal(formatThree) == .otherFormat(3))
        #expect(SavedPlanRefusal.otherFormat(3).reason.contains("format 3 by another eicsetup version (this one reads 4)"))
        #expect(PlanError.savedPlanRefused(file: "s", .tampered).description.contains("Nothing was changed"))
    }
}
