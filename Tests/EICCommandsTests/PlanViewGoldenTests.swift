import EICTemplates
import EICTestSupport
import Foundation
import Testing
@testable import EICCommands
@testable import EICCore

/// The plan's text and JSON renderings compared with golden files (Fixtures/plan.*.golden). After an
/// intended change of the views, run with EICSETUP_UPDATE_GOLDEN=1 and review the diff.
@Suite struct PlanViewGoldenTests {
    static let fixtures = RepositoryPaths.root.appendingPathComponent("Tests/EICCommandsTests/Fixtures")

    static func instance(_ id: String, _ name: String, _ address: String) -> CloudInstance {
        CloudInstance(instanceId: id, state: "running", imageId: "ami-0a12000000000001", privateIpAddress: address, publicIpAddress: nil,
                      availabilityZone: "us-east-1a", platformDetails: "Linux/UNIX", keyName: "fleet", vpcId: "vpc-01", subnetId: "subnet-01",
                      securityGroupIds: ["sg-0123456789abcdef0"], tags: [Tag(key: "Name", value: name)])
    }

    static func facts(package: String?, command: String?, classification: HostFacts.Classification, settings: [CommandSetting] = []) -> HostFacts {
        HostFacts(osID: "amzn", osVersion: "2", osPrettyName: "Amazon Linux 2", packageManager: .yum, privilege: .sudo,
                  package: PackageState(installed: package != nil, version: package, queriedWith: "rpm"),
                  effective: EffectiveCommand(command: command, user: command == nil ? nil : "nobody", source: .sshdT, fromSystemdOption: false),
                  settings: settings, classification: classification, notes: [])
    }

    static func scenario() throws -> (PlanResult, Observation) {
        let target = HostTarget(address: "10.0.1.10", port: 22, user: "ec2-user", identityFile: "/keys/fleet.pem",
                                knownHostsPath: "/keys/known_hosts", hostKeys: .strict)
        var conflictTarget = target
        conflictTarget.address = "10.0.1.11"
        let foreign = CommandSetting(file: "/etc/ssh/sshd_config", line: 107, keyword: "AuthorizedKeysCommand",
                                     value: "/usr/local/bin/vault-ssh-keys %u", origin: .sshdConfig, inMatchBlock: false)
        var observation = Observation(
            caller: CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/admin", userId: "AIDAEXAMPLE"),
            region: "us-east-1",
            instances: [
                ObservedInstance(cloud: instance("i-0000000000000000a", "web-1", "10.0.1.10"), image: nil, target: target,
                                 host: .facts(facts(package: nil, command: nil, classification: .none))),
                ObservedInstance(cloud: instance("i-0000000000000000b", "web-2", "10.0.1.11"), image: nil, target: conflictTarget,
                                 host: .facts(facts(package: nil, command: foreign.value, classification: .conflict, settings: [foreign]))),
                ObservedInstance(cloud: instance("i-0000000000000000c", "web-3", "10.0.1.12"), image: nil, target: nil,
                                 host: .unreachable(HostConnectError(kind: .unreachable, message: "connect to 10.0.1.12:22: Connection refused"))),
            ],
            groupIds: ["sg-0123456789abcdef0"], operatorCIDR: "203.0.113.7/32")
        observation.groupRules = ["sg-0123456789abcdef0": [
            SecurityGroupRule(ruleId: "sgr-0a", groupId: "sg-0123456789abcdef0", isEgress: false, ipProtocol: "tcp", fromPort: 443, toPort: 443,
                              cidrIpv4: "0.0.0.0/0", cidrIpv6: nil, prefixListId: nil, description: "https")]]
        // The group is shared with an instance the plan did not select: the new rule opens tcp/22 there too.
        observation.groupMembersOutsideSelection = ["sg-0123456789abcdef0": ["i-0000000000000000f"]]
        observation.policies = ["EC2InstanceConnect-web": .absent]
        observation.attachments = [PrincipalRef(kind: .user, name: "eic-user"): .some([])]
        let plan = PlanFile(region: "us-east-1",
                            securityGroups: [SecurityGroupEntry(target: .groupsOfSelectedInstances,
                                                                ingress: [IngressRule(port: 22, source: .operatorAddress, description: "operator")])],
                            instances: InstancesSection(select: InstanceSelection(tags: ["Team": "web"]), minimumPackageVersions: [.amazonLinux: "1.1-18"]),
                            iam: IAMSection(policies: [PolicySpec(name: "EC2InstanceConnect-web", instances: .tags(["Team": "web"]),
                                                                  osUsers: ["ec2-user"], describeInstances: true)],
                                            attachments: [AttachmentSpec(policy: "EC2InstanceConnect-web",
                                                                         principals: [PrincipalRef(kind: .user, name: "eic-user")])]))
        let templates = try #require(Templates.policyTemplates)
        let result = Planner(templates: PolicyTemplates(byInstanceArn: templates.byInstanceArn, byTag: templates.byTag)).plan(plan, observation)
        return (result, observation)
    }

    static func compare(_ rendered: String, golden name: String) throws {
        let path = fixtures.appendingPathComponent(name).path
        if ProcessInfo.processInfo.environment["EICSETUP_UPDATE_GOLDEN"] == "1" {
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(rendered == golden, "\(name) differs from the golden file; rendered:\n\(rendered)")
    }

    @Test func textRendering() throws {
        let (result, observation) = try Self.scenario()
        try Self.compare(PlanView.text(result, observation, verbose: false, style: .plain), golden: "plan.text.golden")
        try Self.compare(PlanView.text(result, observation, verbose: true, style: .plain), golden: "plan.verbose.golden")
    }

    @Test func jsonRendering() throws {
        let (result, observation) = try Self.scenario()
        try Self.compare(try PlanView.json(result, observation), golden: "plan.json.golden")
    }
}
