import EICTemplates
import Testing
@testable import EICCore

/// Filling the real IAM templates (templates/iam) and comparing documents the way IAM evaluates them.
@Suite struct PolicyDocumentTests {
    static let planner = Planner(templates: FakeFleet.templates)
    static let observation = Observation(
        caller: CallerIdentity(account: "123456789012", arn: "arn:aws-cn:iam::123456789012:user/operator", userId: "AIDAFAKE"),
        region: "cn-north-1")

    static func document(_ instances: PolicySpec.Instances, osUsers: [String] = ["ec2-user"], describe: Bool = true) throws -> JSONValue {
        let spec = PolicySpec(name: "p", instances: instances, osUsers: osUsers, describeInstances: describe)
        let text = try planner.document(for: spec, observation).get()
        return try JSONParser.parse(text)
    }

    /// The value at a path of object keys and array indexes, e.g. ["Statement", 0, "Resource"].
    static func value(_ root: JSONValue, _ path: [any Sendable]) -> JSONValue? {
        var current: JSONValue? = root
        for step in path {
            switch (current, step) {
            case (.object(let members)?, let key as String): current = members.first { $0.key == key }?.value
            case (.array(let items)?, let index as Int): current = items.indices.contains(index) ? items[index] : nil
            default: return nil
            }
        }
        return current
    }

    @Test func theTemplatesShipWithTheTests() {
        #expect(Templates.policyTemplates != nil)
        #expect(FakeFleet.templates.byTag.contains("${resourceTagConditions}"))
    }

    @Test func byInstanceArnFillsSortedUniqueArnsInThePartitionAndRegion() throws {
        let root = try Self.document(.ids(["i-0bbbbbbbbbbbbbbbb", "i-0aaaaaaaaaaaaaaaa", "i-0bbbbbbbbbbbbbbbb"]), osUsers: ["ec2-user", "ubuntu"])
        #expect(Self.value(root, ["Statement", 0, "Resource"]) == .array([
            .string("arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-0aaaaaaaaaaaaaaaa"),
            .string("arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-0bbbbbbbbbbbbbbbb"),
        ]))
        #expect(Self.value(root, ["Statement", 0, "Action"]) == .string("ec2-instance-connect:SendSSHPublicKey"))
        #expect(Self.value(root, ["Statement", 0, "Condition", "StringEquals", "ec2:osuser"]) == .array([.string("ec2-user"), .string("ubuntu")]))
        #expect(Self.value(root, ["Statement", 1, "Action"]) == .string("ec2:DescribeInstances"))
        #expect(Self.value(root, ["Version"]) == .string("2012-10-17"))
    }

    @Test func byTagSplicesOneConditionPerTagNextToTheOSUser() throws {
        let root = try Self.document(.tags(["Team": "web", "Env": "prod"]))
        #expect(Self.value(root, ["Statement", 0, "Resource"]) == .string("arn:aws-cn:ec2:cn-north-1:123456789012:instance/*"))
        guard case .object(let conditions)? = Self.value(root, ["Statement", 0, "Condition", "StringEquals"]) else {
            Issue.record("no StringEquals")
            return
        }
        #expect(conditions.map(\.key) == ["aws:ResourceTag/Env", "aws:ResourceTag/Team", "ec2:osuser"])
        #expect(conditions.map(\.value) == [.string("prod"), .string("web"), .array([.string("ec2-user")])])
        // The template's explanatory placeholder value is gone.
        #expect(!(try Self.planner.document(for: PolicySpec(name: "p", instances: .tags(["A": "b"]), osUsers: ["u"]), Self.observation).get())
            .contains("one aws:ResourceTag"))
    }

    @Test func describeInstancesIsDroppedWhenNotWanted() throws {
        for instances in [PolicySpec.Instances.ids(["i-0aaaaaaaaaaaaaaaa"]), .tags(["Team": "web"])] {
            let root = try Self.document(instances, describe: false)
            guard case .array(let statements)? = Self.value(root, ["Statement"]) else {
                Issue.record("no statements")
                continue
            }
            #expect(statements.count == 1)
            #expect(Self.value(root, ["Statement", 0, "Action"]) == .string("ec2-instance-connect:SendSSHPublicKey"))
        }
    }

    @Test func valuesWithQuotesAndBackslashesCannotBreakTheStructure() throws {
        let evil = #"web","Effect":"Deny"},{"Effect":"Allow","Action":"*","Resource":"*\"#
        let root = try Self.document(.tags(["Team": evil]))
        guard case .array(let statements)? = Self.value(root, ["Statement"]) else {
            Issue.record("no statements")
            return
        }
        #expect(statements.count == 2)
        #expect(Self.value(root, ["Statement", 0, "Condition", "StringEquals", "aws:ResourceTag/Team"]) == .string(evil))
        #expect(Self.value(root, ["Statement", 0, "Effect"]) == .string("Allow"))

        // Tag keys become object keys: escaped too.
        let keyed = try Self.document(.tags([#"Team":"x"},"Resource":"*"#: "web"]))
        #expect(Self.value(keyed, ["Statement", 0, "Condition", "StringEquals", #"aws:ResourceTag/Team":"x"},"Resource":"*"#]) == .string("web"))
        #expect(Self.value(keyed, ["Statement", 0, "Resource"]) == .string("arn:aws-cn:ec2:cn-north-1:123456789012:instance/*"))

        // Inline placeholders (inside a longer string) are escaped the same way.
        let text = try PolicyDocument.fill(#"{"Resource":"arn:${partition}:ec2:${region}:x"}"#,
                                           bindings: ["partition": .string(#"aws"}"#), "region": .string("a\\b\n")])
        #expect(try JSONParser.parse(text) == .object([("Resource", .string("arn:aws\"}:ec2:a\\b\n:x"))]))
    }

    @Test func templateErrorsAreNamed() {
        #expect(throws: PolicyDocument.FillError.unbound("nope")) { try PolicyDocument.fill(#"{"A":"${nope}"}"#, bindings: [:]) }
        #expect(throws: PolicyDocument.FillError.unbound("x")) { try PolicyDocument.fill(#"{"A":"pre-${x}"}"#, bindings: ["x": .array([])]) }
        #expect(throws: PolicyDocument.FillError.self) { try PolicyDocument.fill("{", bindings: [:]) }
    }

    // MARK: equivalent

    static let base = """
        {"Version":"2012-10-17","Statement":[
          {"Sid":"A","Effect":"Allow","Action":"ec2-instance-connect:SendSSHPublicKey",
           "Resource":["arn:aws:ec2:us-east-1:1:instance/i-1","arn:aws:ec2:us-east-1:1:instance/i-2"],
           "Condition":{"StringEquals":{"ec2:osuser":["ec2-user","ubuntu"]}}},
          {"Sid":"DescribeInstances","Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}
        """

    @Test func equivalentIgnoresWhatIAMIgnores() {
        // Scalar vs one-element list, reordered lists and condition values, key order, whitespace, statement order.
        let same = """
            {"Statement":[{"Resource":["*"],"Action":["ec2:DescribeInstances"],"Effect":"Allow","Sid":"DescribeInstances"},
              {"Condition":{"StringEquals":{"ec2:osuser":["ubuntu","ec2-user"]}},
               "Resource":["arn:aws:ec2:us-east-1:1:instance/i-2","arn:aws:ec2:us-east-1:1:instance/i-1"],
               "Action":["ec2-instance-connect:SendSSHPublicKey"],"Effect":"Allow","Sid":"A"}],
             "Version":"2012-10-17"}
            """
        #expect(PolicyDocument.equivalent(Self.base, same))
        #expect(PolicyDocument.canonical(Self.base) == PolicyDocument.canonical(same))
        // A condition value given once as a scalar.
        let one = Self.base.replacing(#""ec2:osuser":["ec2-user","ubuntu"]"#, with: #""ec2:osuser":"ec2-user""#)
        let oneAsList = Self.base.replacing(#""ec2:osuser":["ec2-user","ubuntu"]"#, with: #""ec2:osuser":["ec2-user"]"#)
        #expect(PolicyDocument.equivalent(one, oneAsList))
    }

    @Test func equivalentSeesRealChanges() {
        let otherUser = Self.base.replacing(#"["ec2-user","ubuntu"]"#, with: #"["ec2-user","admin"]"#)
        #expect(!PolicyDocument.equivalent(Self.base, otherUser))
        let fewerUsers = Self.base.replacing(#"["ec2-user","ubuntu"]"#, with: #"["ec2-user"]"#)
        #expect(!PolicyDocument.equivalent(Self.base, fewerUsers))
        let otherInstance = Self.base.replacing("instance/i-2", with: "instance/i-3")
        #expect(!PolicyDocument.equivalent(Self.base, otherInstance))
        let deny = Self.base.replacing(#""Sid":"A","Effect":"Allow""#, with: #""Sid":"A","Effect":"Deny""#)
        #expect(!PolicyDocument.equivalent(Self.base, deny))
        // Text that is not JSON is never "the same".
        #expect(!PolicyDocument.equivalent(Self.base, "not json"))
    }

    @Test func aSingleStatementObjectEqualsAOneElementList() {
        let object = #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}}"#
        let list = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:DescribeInstances"],"Resource":"*"}]}"#
        #expect(PolicyDocument.equivalent(object, list))
    }
}
