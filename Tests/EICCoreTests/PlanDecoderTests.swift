import Foundation
import EICPlaybooks
import Testing
@testable import EICCore

/// Plan files: strict JSON, unknown keys refused, `${VAR}` from the environment, every value checked,
/// every problem reported at once with its JSON path (design §3).
@Suite struct PlanDecoderTests {
    static let environment = ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "EICSETUP_SANDBOX_KEY": "/var/lib/eic/fleet_key",
                              "EICSETUP_SANDBOX_KNOWN_HOSTS": "/var/lib/eic/known_hosts"]

    static func decode(_ text: String, environment: [String: String] = environment) throws(PlanError) -> PlanFile {
        try PlanDecoder(environment: environment).decode(text, file: "plan.json")
    }

    /// The issues `text` is refused with (none when it decodes).
    static func issues(_ text: String, environment: [String: String] = environment) -> [PlanIssue] {
        do {
            _ = try decode(text, environment: environment)
            return []
        } catch {
            if case .invalid(_, let issues) = error { return issues }
            return [PlanIssue(path: "<not invalid>", message: error.description)]
        }
    }

    /// A minimal valid plan with `instances` replaced by `section`.
    static func withInstances(_ section: String) -> String {
        #"{"version": 1, "region": "us-east-1", "instances": \#(section)}"#
    }

    static func withSSH(_ ssh: String) -> String {
        withInstances(#"{"select": {"tags": {"Team": "web"}}, "ssh": \#(ssh)}"#)
    }

    static func withRule(_ rule: String) -> String {
        #"{"version": 1, "securityGroups": [{"groupId": "sg-0123456789abcdef0", "ingress": [\#(rule)]}]}"#
    }

    // MARK: Valid plans

    @Test func everyPlaybookDecodes() throws {
        #expect(Playbooks.names == ["al2-fleet-by-tag", "mixed-fleet-by-ids", "private-fleet-over-ssm", "sandbox"])
        for name in Playbooks.names {
            let text = try #require(Playbooks.text(name))
            #expect(throws: Never.self, "\(name)") { try Self.decode(text) }
        }
    }

    @Test func theSandboxPlaybookTakesItsPathsFromTheEnvironment() throws {
        let plan = try Self.decode(try #require(Playbooks.text("sandbox")))
        #expect(plan.instances?.ssh.identityFile == "/var/lib/eic/fleet_key")
        #expect(plan.instances?.ssh.knownHosts == "/var/lib/eic/known_hosts")
        #expect(plan.instances?.ssh.hostKeys == .strict)
        #expect(plan.instances?.ssh.address == .privateIP)
        #expect(plan.instances?.select == InstanceSelection(tags: ["Fleet": "sandbox"]))
        #expect(plan.securityGroups.first?.target == .groupsOfSelectedInstances)
        #expect(plan.securityGroups.first?.ingress.map(\.source) == [
            .operatorAddress, .ipRanges(service: "EC2_INSTANCE_CONNECT", source: "http://127.0.0.1:4566/_sandbox/ip-ranges.json")])
        #expect(plan.iam?.policies.first?.osUsers == ["ec2-user", "ubuntu"])
        #expect(plan.iam?.attachments == [AttachmentSpec(policy: "EC2InstanceConnect-sandbox", principals: [PrincipalRef(kind: .user, name: "eic-user")])])
    }

    @Test func theMixedPlaybookSelectsByIdsWithTheDefaults() throws {
        let plan = try Self.decode(try #require(Playbooks.text("mixed-fleet-by-ids")), environment: [:])
        #expect(plan.region == "eu-west-1")
        #expect(plan.instances?.select.ids == ["i-0123456789abcdef0", "i-0fedcba9876543210"])
        #expect(plan.instances?.ssh.hostKeys == .acceptNew)
        #expect(plan.instances?.ssh.port == 22)
        #expect(plan.instances?.minimumPackageVersions == [:], "no override: PackageMinimums.defaults apply")
        #expect(plan.iam?.policies.first?.instances == .selected)
        #expect(plan.iam?.policies.first?.describeInstances == false)
    }

    // MARK: Keys and types

    @Test func unknownKeysAreRefusedWithAHint() {
        let issues = Self.issues(#"{"version": 1, "Region": "us-east-1", "instances": {"select": {"tags": {"A": "b"}}, "sshh": {}}}"#)
        #expect(issues.map(\.path) == ["Region", "instances.sshh"])
        #expect(issues[0].message == #"unknown key; did you mean "region"?"#)
        #expect(issues[1].message == "unknown key; allowed here: select, ssh, onConflict, minimumPackageVersion, transport, ssm")
    }

    @Test func wrongTypesNameTheTypeFound() {
        let issues = Self.issues(#"{"version": "1", "region": 5, "securityGroups": {}, "instances": {"select": {"tags": {"A": "b"}}, "ssh": {"port": "22", "hostKeys": true}}}"#)
        #expect(issues.map(\.description) == [
            "version: must be a whole number, not a string",
            "region: must be a string, not a number",
            "securityGroups: must be an array, not an object",
            "instances.ssh.hostKeys: must be a string, not true/false",
            "instances.ssh.port: must be a whole number, not a string",
        ])
    }

    @Test func hostKeysMustBeOneOfTheModes() {
        #expect(Self.issues(Self.withSSH(#"{"hostKeys": "yes"}"#)).map(\.description)
                == [#"instances.ssh.hostKeys: "yes" is not one of strict, accept-new"#])
        #expect(Self.issues(Self.withSSH(#"{"hostKeys": "accept-new"}"#)).isEmpty)
    }

    // MARK: Values

    @Test(arguments: [
        ("10.0.0.1/8", #""10.0.0.1/8" has host bits set; write 10.0.0.0/8"#),
        ("203.0.113.7/24", #""203.0.113.7/24" has host bits set; write 203.0.113.0/24"#),
        ("2001:DB8::1/32", #""2001:DB8::1/32" has host bits set; write 2001:db8::/32"#),
        ("10.0.0.256/32", #""10.0.0.256/32" is not a CIDR such as 203.0.113.7/32 or 2001:db8::/64 (or "auto" for your own address)"#),
        ("10.0.0.0/33", #""10.0.0.0/33" is not a CIDR such as 203.0.113.7/32 or 2001:db8::/64 (or "auto" for your own address)"#),
        ("010.0.0.0/8", #""010.0.0.0/8" is not a CIDR such as 203.0.113.7/32 or 2001:db8::/64 (or "auto" for your own address)"#),
        ("10.0.0.0", #""10.0.0.0" is not a CIDR such as 203.0.113.7/32 or 2001:db8::/64 (or "auto" for your own address)"#),
    ])
    func badCIDRsAreRefused(_ cidr: String, _ message: String) {
        #expect(Self.issues(Self.withRule(#"{"port": 22, "cidr": "\#(cidr)"}"#)).map(\.description)
                == ["securityGroups[0].ingress[0].cidr: \(message)"])
    }

    @Test func canonicalCIDRsPass() throws {
        let plan = try Self.decode(Self.withRule(#"{"cidr": "2001:db8::/32"}, {"cidr": "0.0.0.0/0", "port": 2222}"#))
        #expect(plan.securityGroups.first?.ingress == [IngressRule(port: 22, source: .cidr("2001:db8::/32")),
                                                       IngressRule(port: 2222, source: .cidr("0.0.0.0/0"))])
    }

    @Test func badPortsAreRefused() {
        #expect(Self.issues(Self.withRule(#"{"port": 0, "cidr": "auto"}"#)).map(\.description)
                == ["securityGroups[0].ingress[0].port: 0 is not a TCP port (1–65535)"])
        #expect(Self.issues(Self.withRule(#"{"port": 65536, "cidr": "auto"}"#)).map(\.path) == ["securityGroups[0].ingress[0].port"])
        #expect(Self.issues(Self.withRule(#"{"port": 22.5, "cidr": "auto"}"#)).map(\.description)
                == ["securityGroups[0].ingress[0].port: must be a whole number, not a fraction or a huge number"])
        #expect(Self.issues(Self.withSSH(#"{"port": -22}"#)).map(\.description) == ["instances.ssh.port: -22 is not a TCP port (1–65535)"])
    }

    @Test(arguments: ["i-123", "i-0123456789ABCDEF0", "i-0123456789abcdef0x", "0123456789abcdef0", "i-0123456789ab"])
    func badInstanceIdsAreRefused(_ id: String) {
        #expect(Self.issues(Self.withInstances(#"{"select": {"ids": ["i-0123456789abcdef0", "\#(id)"]}}"#)).map(\.description)
                == [#"instances.select.ids[1]: "\#(id)" is not an instance id (i- followed by 8 or 17 hex digits)"#])
    }

    @Test(arguments: ["sg-123", "sg-0123456789abcdefg", "sg_01234567", "sg-0123456789ab"])
    func badGroupIdsAreRefused(_ id: String) {
        #expect(Self.issues(#"{"version": 1, "securityGroups": [{"groupId": "\#(id)", "ingress": [{"cidr": "auto"}]}]}"#).map(\.description)
                == [#"securityGroups[0].groupId: "\#(id)" is not a security group id (sg- followed by 8 or 17 hex digits)"#])
    }

    @Test func shortAndLongIdsPass() throws {
        let plan = try Self.decode(Self.withInstances(#"{"select": {"ids": ["i-01234567", "i-0123456789abcdef0"]}}"#))
        #expect(plan.instances?.select.ids == ["i-01234567", "i-0123456789abcdef0"])
    }

    /// JSON string literals for OS users a shell would read specially.
    @Test(arguments: [#"ec2-user; rm -rf /"#, #"$(id)"#, #"`id`"#, #"ec2 user"#, #"ec2-user\nroot"#, #"root|sh"#, #"a&&b"#, #"'x'"#,
                      #"-oProxyCommand=x"#, #""#, #"abcdefghijklmnopqrstuvwxyz0123456"#])
    func osUsersWithShellCharactersAreRefused(_ literal: String) throws {
        let user = try #require({ () -> String? in
            if case .string(let text) = try? JSONParser.parse("\"\(literal)\"") { return text }
            return nil
        }())
        let sshIssues = Self.issues(Self.withSSH(#"{"user": "\#(literal)"}"#))
        #expect(sshIssues.map(\.path) == ["instances.ssh.user"])
        #expect(sshIssues.first?.message.hasPrefix("\"\(user)\" is not a valid OS user name") == true)
        let iam = #"{"version": 1, "iam": {"policies": [{"name": "p", "allow": {"instances": {"tags": {"A": "b"}}, "osUsers": ["ubuntu", "\#(literal)"]}}]}}"#
        #expect(Self.issues(iam).map(\.path).contains("iam.policies[0].allow.osUsers[1]"))
        #expect(!PlanDecoder.isValidOSUser(user))
    }

    @Test(arguments: ["ec2-user", "ubuntu", "_svc", "deploy.bot", "user@corp", "MACHINE$", "a"])
    func ordinaryOSUsersPass(_ user: String) throws {
        #expect(try Self.decode(Self.withSSH(#"{"user": "\#(user)"}"#)).instances?.ssh.user == .named(user))
    }

    // MARK: Variables

    @Test func anUnsetVariableIsNamedWithItsPath() throws {
        let issues = Self.issues(try #require(Playbooks.text("sandbox")), environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
                                                                                       "EICSETUP_SANDBOX_KEY": ""])
        #expect(issues.map(\.description) == [
            "instances.ssh.identityFile: ${EICSETUP_SANDBOX_KEY} is not set in the environment (set it, or write the value into the plan)",
            "instances.ssh.knownHosts: ${EICSETUP_SANDBOX_KNOWN_HOSTS} is not set in the environment (set it, or write the value into the plan)",
        ])
    }

    @Test func variablesExpandAndDoubleDollarIsALiteral() throws {
        let plan = try Self.decode(Self.withRule(#"{"cidr": "${OFFICE}", "description": "office $${NOT_A_VAR} ${WHO}"}"#),
                                   environment: ["OFFICE": "198.51.100.0/24", "WHO": "ops"])
        #expect(plan.securityGroups.first?.ingress.first == IngressRule(port: 22, source: .cidr("198.51.100.0/24"), description: "office ${NOT_A_VAR} ops"))
        // Expanded values are validated like written ones.
        #expect(Self.issues(Self.withRule(#"{"cidr": "${OFFICE}"}"#), environment: ["OFFICE": "198.51.100.1/24"]).map(\.description)
                == [#"securityGroups[0].ingress[0].cidr: "198.51.100.1/24" has host bits set; write 198.51.100.0/24"#])
        #expect(Self.issues(Self.withSSH(#"{"identityFile": "${1BAD}"}"#)).map(\.description)
                == [#"instances.ssh.identityFile: "${1BAD}" is not a variable name"#])
        #expect(Self.issues(Self.withSSH(#"{"identityFile": "${OPEN"}"#)).map(\.description)
                == ["instances.ssh.identityFile: unterminated ${ (write $${ for a literal ${)"])
    }

    // MARK: Several problems, syntax, semantics

    @Test func everyProblemIsReportedAtOnceInDocumentOrder() {
        let text = """
            {"version": 2, "region": "Mars", "securityGroups": [{"groupId": "sg-1", "ingress": [{"port": 99999, "cidr": "1.2.3.4/8"}]}],
             "instances": {"select": {"ids": ["i-bad"]}, "ssh": {"hostKeys": "yes", "user": "$(id)"}}}
            """
        let issues = Self.issues(text)
        #expect(issues.map(\.path) == ["version", "region", "securityGroups[0].groupId", "securityGroups[0].ingress[0].port",
                                       "securityGroups[0].ingress[0].cidr", "instances.select.ids[0]", "instances.ssh.user", "instances.ssh.hostKeys"])
        let error = PlanError.invalid(file: "plan.json", issues: issues)
        #expect(error.description.hasPrefix("plan.json: 8 problems:\n  version: 2 is not supported; this eicsetup reads version 1\n"))
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        #expect(throws: PlanError.syntax(file: "plan.json", JSONSyntaxError(line: 3, column: 1, message: "expected a key in double quotes"))) {
            try Self.decode("{\n  \"version\": 1,\n}\n")
        }
        #expect(throws: PlanError.syntax(file: "plan.json", JSONSyntaxError(line: 2, column: 16, message: #"duplicate key "version""#))) {
            try Self.decode("{\"version\": 1,\n  \"region\": 1, \"version\": 1}")
        }
        #expect(throws: PlanError.syntax(file: "plan.json", JSONSyntaxError(line: 1, column: 2, message: "expected a key in double quotes"))) {
            try Self.decode("{// comment\n}")
        }
        let message = PlanError.syntax(file: "p.json", JSONSyntaxError(line: 3, column: 1, message: "x")).description
        #expect(message == "p.json: not valid JSON at line 3, column 1: x (plans are strict JSON: no comments, no trailing commas)")
    }

    @Test func selectingEveryInstanceIsRefused() {
        for select in ["{}", #"{"ids": []}"#, #"{"tags": {}, "filters": {}}"#] {
            let issues = Self.issues(Self.withInstances(#"{"select": \#(select)}"#))
            #expect(issues.map(\.path) == ["instances.select"], "\(select)")
            #expect(issues.first?.message.hasPrefix("selects every instance in the region") == true)
        }
        #expect(Self.issues(Self.withInstances("{}")).map(\.description) == ["instances.select: missing; select instances by ids, tags or filters"])
    }

    @Test func attachingAPolicyThePlanDoesNotManageIsRefused() {
        let text = """
            {"version": 1, "iam": {"policies": [{"name": "Mine", "allow": {"instances": {"tags": {"A": "b"}}, "osUsers": ["ubuntu"]}}],
             "attachments": [{"policy": "Mine", "users": ["u"]}, {"policy": "AdministratorAccess", "roles": ["ops"]}]}}
            """
        #expect(Self.issues(text).map(\.description) == [
            #"iam.attachments[1].policy: "AdministratorAccess" is not one of the plan's policies (iam.policies[].name); eicsetup only attaches policies it manages"#,
        ])
    }
}

/// `instances.transport` and `instances.ssm` (issue 21): the choices and AWS's rate formats (saved
/// plans from before them are refused by their format number, `SavedPlanTests`).
@Suite struct PlanDecoderTransportTests {
    static func section(_ extra: String) throws -> InstancesSection? {
        try PlanDecoder(environment: [:]).decode(#"{"version": 1, "instances": {"select": {"ids": ["i-0123456789abcdef0"]}\#(extra)}}"#,
                                                 file: "plan.json").instances
    }

    @Test func transportAndRateControlAreRead() throws {
        #expect(try Self.section("")?.transport == .ssh)
        let ssm = try Self.section(#", "transport": "ssm", "ssm": {"maxConcurrency": "25%", "maxErrors": "0"}"#)
        #expect(ssm?.transport == .ssm && ssm?.ssm == SSMSettings(maxConcurrency: "25%", maxErrors: "0"))
        #expect(try Self.section(#", "transport": "auto""#)?.transport == .auto)
    }

    @Test(arguments: [#", "transport": "ssm-ish""#, #", "ssm": {"maxConcurrency": "0"}"#, #", "ssm": {"maxConcurrency": "101%"}"#,
                      #", "ssm": {"maxErrors": "-1"}"#, #", "ssm": {"maxErrors": "5; rm"}"#, #", "ssm": {"rate": "5"}"#])
    func badValuesAreRefused(_ extra: String) {
        #expect(throws: PlanError.self) { try Self.section(extra) }
    }
}
