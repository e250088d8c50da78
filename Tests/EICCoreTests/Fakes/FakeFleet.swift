import EICTemplates
@testable import EICCore

/// The sandbox's personalities (rows of sandbox/personalities.tsv, design §6) as fake machines.
enum FakePersonality: String, CaseIterable, Sendable {
    case al2Old = "al2-old"
    case al2Current = "al2-current"
    case ubuntu1604 = "ubuntu-16.04"
    case ubuntu1804 = "ubuntu-18.04"
    case ubuntu2004 = "ubuntu-20.04"
    case ubuntu2204 = "ubuntu-22.04"
    case al2Package1112 = "al2-pkg-1.1-12"
    case conflictSSHDConfig = "conflict-sshd-config"
    case conflictInclude = "conflict-include"
    case unreachable
    case hostKeyChanged = "hostkey-changed"
    case sudoPassword = "sudo-password"

    var isAmazonLinux: Bool { [.al2Old, .al2Current, .al2Package1112, .conflictSSHDConfig, .hostKeyChanged].contains(self) }
    var loginUser: String { isAmazonLinux ? "ec2-user" : "ubuntu" }

    var image: MachineImage {
        switch self {
        case .al2Old:
            return MachineImage(imageId: "ami-0a12000000000001", name: "amzn2-ami-hvm-2.0.20180810-x86_64-gp2",
                                description: "Amazon Linux 2 AMI 2.0.20180810 x86_64 HVM gp2", platformDetails: "Linux/UNIX", creationDate: nil)
        case .ubuntu1604:
            return MachineImage(imageId: "ami-0b16000000000001", name: "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-20210928",
                                description: "Canonical, Ubuntu, 16.04 LTS, amd64 xenial image", platformDetails: "Linux/UNIX", creationDate: nil)
        case .ubuntu1804, .sudoPassword:
            return MachineImage(imageId: "ami-0b18000000000001", name: "ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-20230531",
                                description: "Canonical, Ubuntu, 18.04 LTS, amd64 bionic image", platformDetails: "Linux/UNIX", creationDate: nil)
        case .ubuntu2004, .unreachable:
            return MachineImage(imageId: "ami-0b20000000000001", name: "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20241112",
                                description: "Canonical, Ubuntu, 20.04 LTS, amd64 focal image", platformDetails: "Linux/UNIX", creationDate: nil)
        case .ubuntu2204, .conflictInclude:
            return MachineImage(imageId: "ami-0b22000000000001", name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241109",
                                description: "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image", platformDetails: "Linux/UNIX", creationDate: nil)
        case .al2Current, .al2Package1112, .conflictSSHDConfig, .hostKeyChanged:
            return MachineImage(imageId: "ami-0a12000000000002", name: "amzn2-ami-kernel-5.10-hvm-2.0.20241001.0-x86_64-gp2",
                                description: "Amazon Linux 2 Kernel 5.10 AMI 2.0.20241001.0 x86_64 HVM gp2", platformDetails: "Linux/UNIX",
                                creationDate: nil)
        }
    }

    /// The machine state (nil for personalities whose sshd never answers).
    var state: FakeHostState? {
        let al2Package = "1.1-19.amzn2", al2Repository = "1.1-19.amzn2"
        func ubuntu(_ version: String, installed: String?) -> FakeHostState {
            FakeHostState(family: .ubuntu(version), packageVersion: installed, eicConfigured: installed != nil,
                          repositoryVersion: "1.1.12.0-0ubuntu3~\(version).1")
        }
        switch self {
        case .al2Old: return FakeHostState(family: .amazonLinux2, repositoryVersion: al2Repository)
        case .al2Current: return FakeHostState(family: .amazonLinux2, packageVersion: al2Package, eicConfigured: true, repositoryVersion: al2Repository)
        case .ubuntu1604: return ubuntu("16.04", installed: nil)
        case .ubuntu1804: return ubuntu("18.04", installed: nil)
        case .ubuntu2004: return ubuntu("20.04", installed: "1.1.12.0-0ubuntu3~20.04.1")
        case .ubuntu2204: return ubuntu("22.04", installed: "1.1.14-0ubuntu1.1")
        case .al2Package1112:
            return FakeHostState(family: .amazonLinux2, packageVersion: "1.1-12.amzn2", eicConfigured: true, repositoryVersion: al2Repository)
        case .conflictSSHDConfig:
            return FakeHostState(family: .amazonLinux2, packageVersion: al2Package, foreignInSSHDConfig: FakeHostState.foreign,
                                 repositoryVersion: al2Repository)
        case .conflictInclude:
            var state = ubuntu("22.04", installed: "1.1.14-0ubuntu1.1")
            state.foreignInInclude = FakeHostState.foreign
            return state
        case .sudoPassword:
            var state = ubuntu("18.04", installed: nil)
            state.access = .sudoWantsPassword
            return state
        case .unreachable, .hostKeyChanged: return nil
        }
    }
}

/// A fake fleet: instances in a `FakeCloud`, machines behind a `FakeConnector`, in one security group.
struct FakeFleet {
    static let group = "sg-0123456789abcdef0"
    static let tags = ["Fleet": "fake"]

    let cloud = FakeCloud()
    let connector = FakeConnector()
    let fetcher = FakeFetcher(["https://checkip.amazonaws.com/": "203.0.113.7\n"])
    /// instance id → its machine (absent for unreachable ones).
    var machines: [String: FakeMachine] = [:]
    var instanceIds: [String] = []

    /// One instance per personality, in order; ids are i-<16 hex digits>.
    static func make(_ personalities: [FakePersonality], groupRules: [SecurityGroupRule] = []) async -> FakeFleet {
        var fleet = FakeFleet()
        var instances: [CloudInstance] = []
        for (index, personality) in personalities.enumerated() {
            let hex = String(index + 1, radix: 16)
            let id = "i-" + String(repeating: "0", count: 17 - hex.count) + hex
            let address = "127.0.\(index / 250 + 1).\(index % 250 + 1)"
            instances.append(CloudInstance(instanceId: id, state: "running", imageId: personality.image.imageId, privateIpAddress: address,
                                           publicIpAddress: nil, availabilityZone: "us-east-1a", platformDetails: "Linux/UNIX",
                                           keyName: "fleet", vpcId: "vpc-0fake", subnetId: "subnet-0fake", securityGroupIds: [group],
                                           tags: [Tag(key: "Name", value: "fake-\(index + 1)-\(personality.rawValue)"),
                                                  Tag(key: "Fleet", value: "fake")]))
            fleet.instanceIds.append(id)
            switch personality {
            case .unreachable:
                fleet.connector.add(address, .failing(HostConnectError(kind: .unreachable,
                                                                       message: "connect to \(address) port 22: Connection refused")))
            case .hostKeyChanged:
                fleet.connector.add(address, .failing(HostConnectError(kind: .hostKeyChanged, message: FakeConnector.hostKeyChangedMessage)))
            default:
                guard let state = personality.state else { continue }
                let machine = FakeMachine(personality.rawValue, state)
                fleet.machines[id] = machine
                fleet.connector.add(address, .machine(machine, loginUser: personality.loginUser))
            }
        }
        var seen = Set<String>()
        await fleet.cloud.addInstances(instances)
        await fleet.cloud.addImages(personalities.map(\.image).filter { seen.insert($0.imageId).inserted })
        await fleet.cloud.addGroup(group, rules: groupRules)
        return fleet
    }

    func observer(parallelism: Int = 10) -> Observer {
        Observer(cloud: cloud, connector: connector, fetcher: fetcher, parallelism: parallelism)
    }

    /// The plan the tests use: the fleet by tag, tcp/22 from the operator, a tag policy attached to a user.
    static func plan(iam: Bool = true, securityGroups: Bool = true) -> PlanFile {
        PlanFile(region: "us-east-1",
                 securityGroups: securityGroups ? [SecurityGroupEntry(target: .groupsOfSelectedInstances,
                                                                      ingress: [IngressRule(port: 22, source: .operatorAddress, description: "operator")])] : [],
                 instances: InstancesSection(select: InstanceSelection(tags: tags), ssh: SSHSettings(identityFile: "/keys/fleet.pem"),
                                             minimumPackageVersions: [.amazonLinux: "1.1-18"]),
                 iam: iam ? IAMSection(policies: [PolicySpec(name: "EC2InstanceConnect-fake", instances: .tags(tags),
                                                             osUsers: ["ec2-user", "ubuntu"], describeInstances: true)],
                                       attachments: [AttachmentSpec(policy: "EC2InstanceConnect-fake",
                                                                    principals: [PrincipalRef(kind: .user, name: "eic-user")])]) : nil)
    }

    static var templates: PolicyTemplates {
        guard let (arn, tag) = Templates.policyTemplates else { return PolicyTemplates(byInstanceArn: "{}", byTag: "{}") }
        return PolicyTemplates(byInstanceArn: arn, byTag: tag)
    }
}
