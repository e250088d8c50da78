import Testing
@testable import EICCore

/// The hand-written shape checks (issue 20: no Regex engine in plan and apply) accept exactly what the
/// documented patterns accept: each is compared with the pattern itself on the same inputs.
@Suite struct TextShapeTests {
    static func regex(_ pattern: Regex<AnyRegexOutput>, _ text: String) -> Bool { (try? pattern.wholeMatch(in: text)) != nil }

    static let users = ["ec2-user", "ubuntu", "_x", "a", "A$", "a@b.c", "a.", "a@", "1abc", "-a", "a b", "a;b", "é", "a$b",
                        String(repeating: "a", count: 30) + ".", String(repeating: "a", count: 31) + ".",
                        String(repeating: "a", count: 32), String(repeating: "a", count: 33), String(repeating: "a", count: 31) + "$", ""]
    static let regions = ["us-east-1", "us-gov-west-1", "cn-north-1", "ap-southeast-10", "us-east-123", "us-east", "US-east-1",
                          "u-east-1", "us--1", "us-east-1a", "useast1", "", "us-east-01", "us-ea5t-1", "eu-central-2"]
    static let ids = ["i-0123abcd", "i-0123456789abcdef0", "i-0123ABCD", "i-0123abc", "i-0123456789abcdef", "sg-0123abcd",
                      "i-", "x-0123abcd", "i-0123abcdg", "i-0123456789abcdef01"]
    static let counts = ["1", "10", "1234567", "12345678", "0", "01", "1%", "10%", "99%", "100%", "101%", "0%", "00%", "%", "", "5x"]
    static let versions = ["1.1-18", "1:1.1.12.0-0ubuntu3", "1.1~rc1", "a1", "", "1 2", "1/2"]
    static let prefixLists = ["pl-0123abcd", "pl-0123456789abcdef0", "pl-0123abc", "com.amazonaws.us-east-1.ec2-instance-connect",
                              "com.amazonaws..ec2-instance-connect", "com.amazonaws.US.ec2-instance-connect", "com.amazonaws.x.y"]

    @Test func osUserNames() throws {
        let pattern = try Regex("[A-Za-z_][A-Za-z0-9@._-]{0,30}[A-Za-z0-9$_-]?")
        for user in Self.users { #expect(TextShape.isOSUserName(user) == Self.regex(pattern, user), "\(user)") }
    }

    @Test func regionNames() throws {
        let pattern = try Regex("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
        for region in Self.regions { #expect(TextShape.isRegionName(region) == Self.regex(pattern, region), "\(region)") }
    }

    @Test func resourceIds() throws {
        let instance = try Regex("i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
        let group = try Regex("sg-(?:[0-9a-f]{8}|[0-9a-f]{17})")
        for id in Self.ids {
            #expect(TextShape.isResourceId(id, prefix: "i-") == Self.regex(instance, id), "\(id)")
            #expect(TextShape.isResourceId(id, prefix: "sg-") == Self.regex(group, id), "\(id)")
        }
    }

    @Test func runCommandRates() throws {
        let concurrency = try Regex("[1-9][0-9]{0,6}|[1-9][0-9]?%|100%")
        let errors = try Regex("0|[1-9][0-9]{0,6}|[1-9]?[0-9]%|100%")
        for text in Self.counts {
            #expect(SSMSettings.isValidConcurrency(text) == Self.regex(concurrency, text), "\(text)")
            #expect(SSMSettings.isValidErrors(text) == Self.regex(errors, text), "\(text)")
        }
    }

    @Test func versionsPrefixListsAndNames() throws {
        let version = try Regex("[0-9][A-Za-z0-9.+~:_-]*")
        for text in Self.versions { #expect((PlanValidators.packageVersion(text) == nil) == Self.regex(version, text), "\(text)") }
        let prefixList = try Regex(#"pl-[0-9a-f]{8,17}|com\.amazonaws\.[a-z0-9-]+\.ec2-instance-connect"#)
        for text in Self.prefixLists { #expect((PlanValidators.prefixList(text) == nil) == Self.regex(prefixList, text), "\(text)") }
        let variable = try Regex("[A-Za-z_][A-Za-z0-9_]*")
        for text in ["HOME", "_x1", "1x", "a-b", "", "AWS_ENDPOINT_URL"] {
            #expect(TextShape.isVariableName(text) == Self.regex(variable, text), "\(text)")
        }
        let iam = try Regex("[A-Za-z0-9+=,.@_-]{1,128}")
        for text in ["EC2InstanceConnect-sandbox", "a b", "", String(repeating: "p", count: 129), "x+y=z,w.v@u_t-s"] {
            #expect((PlanValidators.policyName(text) == nil) == Self.regex(iam, text), "\(text)")
        }
    }
}
