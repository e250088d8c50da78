import Testing
@testable import EICCore

/// The `iam` section's checks that protect what IAM will be asked to do (issue 19, items 5 and 8).
@Suite struct PlanDecoderIAMTests {
    static func policy(_ name: String, _ instances: String) -> String {
        #"{"name": "\#(name)", "allow": {"instances": \#(instances), "osUsers": ["ubuntu"]}}"#
    }

    static let ids = #"{"ids": ["i-0123456789abcdef0"]}"#

    static func iam(_ policies: String...) -> String {
        #"{"version": 1, "iam": {"policies": [\#(policies.joined(separator: ", "))]}}"#
    }

    @Test func aPlanPolicyNamedLikeASplitPartOfAPolicyByArnIsRefused() {
        let text = Self.iam(Self.policy("Q", Self.ids), Self.policy("Q-2", #"{"tags": {"A": "b"}}"#),
                            Self.policy("Q-x", #"{"tags": {"A": "b"}}"#), Self.policy("Q-10", #"{"ids": ["i-0123456789abcdef0"]}"#))
        #expect(PlanDecoderTests.issues(text).map(\.path) == ["iam.policies[1].name", "iam.policies[3].name"])
        #expect(PlanDecoderTests.issues(text).first?.message.contains(#"iam.policies[0] ("Q", by instance ARN)"#) == true)
        // A policy by tag is never split, so its NAME-2 is free.
        #expect(PlanDecoderTests.issues(Self.iam(Self.policy("T", #"{"tags": {"A": "b"}}"#), Self.policy("T-2", #"{"tags": {"A": "c"}}"#))) == [])
    }

    @Test func aPolicyByArnWhoseSplitNamesWouldPassIAMsLimitIsRefused() {
        let long = String(repeating: "p", count: 125)
        #expect(PlanDecoderTests.issues(Self.iam(Self.policy(long, Self.ids))).map(\.path) == ["iam.policies[0].name"])
        #expect(PlanDecoderTests.issues(Self.iam(Self.policy(long, #"{"tags": {"A": "b"}}"#))) == [])
        #expect(PlanDecoderTests.issues(Self.iam(Self.policy(String(long.dropFirst()), Self.ids))) == [])
    }

    @Test(arguments: [#"{"Env": "sand*"}"#, #"{"Env": "a?c"}"#, #"{"Env": "$${aws:username}"}"#, #"{"E*": "x"}"#, #"{"$${x}": "y"}"#])
    func policyTagsIAMWouldReadDifferentlyAreRefused(_ tags: String) {
        let issues = PlanDecoderTests.issues(Self.iam(Self.policy("P", #"{"tags": \#(tags)}"#)))
        #expect(issues.first?.path.hasPrefix("iam.policies[0].allow.instances.tags.") == true, "\(issues)")
        #expect(issues.first?.message.contains("IAM") == true)
    }

    @Test func selectTagsKeepTheirWildcards() throws {
        let plan = try PlanDecoderTests.decode(PlanDecoderTests.withInstances(#"{"select": {"tags": {"Env": "sand*"}}}"#))
        #expect(plan.instances?.select.tags == ["Env": "sand*"])
    }
}
