/// The declarative plan (design §3), after decoding, `${VAR}` expansion and validation.
/// Every section is optional; an absent section means "leave this part alone".
public struct PlanFile: Sendable, Equatable, Codable {
    public var version: Int
    public var region: String?
    public var securityGroups: [SecurityGroupEntry]
    public var instances: InstancesSection?
    public var iam: IAMSection?

    public init(version: Int = 1, region: String? = nil, securityGroups: [SecurityGroupEntry] = [],
                instances: InstancesSection? = nil, iam: IAMSection? = nil) {
        self.version = version
        self.region = region
        self.securityGroups = securityGroups
        self.instances = instances
        self.iam = iam
    }
}

/// One security group (by id, or every group attached to the selected instances) and the inbound
/// rules it must have. Rules not listed are left alone.
public struct SecurityGroupEntry: Sendable, Equatable, Codable {
    public enum Target: Sendable, Equatable, Codable {
        case groupId(String)
        /// `"groupsOf": "instances"`: the groups of the instances the plan selects.
        case groupsOfSelectedInstances
    }

    public var target: Target
    public var ingress: [IngressRule]

    public init(target: Target, ingress: [IngressRule]) {
        self.target = target
        self.ingress = ingress
    }
}

/// One inbound tcp rule wanted on a group.
public struct IngressRule: Sendable, Equatable, Codable {
    public enum Source: Sendable, Equatable, Codable {
        /// An explicit IPv4 or IPv6 CIDR.
        case cidr(String)
        /// `"cidr": "auto"`: the operator's own public address, as a /32.
        case operatorAddress
        /// The service's ranges for the plan's region from an ip-ranges.json (URL or file).
        case ipRanges(service: String, source: String)
        /// A managed prefix list by name (`com.amazonaws.REGION.ec2-instance-connect`) or id (`pl-…`).
        case prefixList(String)
    }

    public var port: Int
    public var source: Source
    public var description: String?

    public init(port: Int, source: Source, description: String? = nil) {
        self.port = port
        self.source = source
        self.description = description
    }
}

/// Which instances to onboard and how to reach them over their initial SSH access.
public struct InstancesSection: Sendable, Equatable, Codable {
    public var select: InstanceSelection
    public var ssh: SSHSettings
    public var onConflict: ConflictPolicy
    /// The plan's own package minimums per distribution family (`PackageMinimums.defaults` for the rest):
    /// older installed packages are upgraded.
    public var minimumPackageVersions: [PackageFamily: String]
    /// How hosts are reached: SSH (the default), SSM Run Command, or SSM where the agent is online.
    public var transport: TransportChoice
    /// Run Command's rate control (only read when SSM is used).
    public var ssm: SSMSettings

    public init(select: InstanceSelection, ssh: SSHSettings = SSHSettings(), onConflict: ConflictPolicy = .report,
                minimumPackageVersions: [PackageFamily: String] = [:], transport: TransportChoice = .ssh,
                ssm: SSMSettings = SSMSettings()) {
        self.select = select
        self.ssh = ssh
        self.onConflict = onConflict
        self.minimumPackageVersions = minimumPackageVersions
        self.transport = transport
        self.ssm = ssm
    }
}

/// What to do with a host whose sshd runs an AuthorizedKeysCommand that is not EIC's.
public enum ConflictPolicy: String, Sendable, Equatable, CaseIterable, Codable {
    /// Report it loudly and leave the host untouched (the only choice: a foreign command is never overwritten).
    case report
}

/// The initial SSH access to the fleet.
public struct SSHSettings: Sendable, Equatable, Codable {
    public enum LoginUser: Sendable, Equatable, Codable {
        /// ec2-user on Amazon Linux, ubuntu on Ubuntu (from the AMI), else tried in that order.
        case auto
        case named(String)
    }

    public enum AddressChoice: String, Sendable, Equatable, CaseIterable, Codable {
        /// The public IP when there is one, else the private IP.
        case auto
        case publicIP = "public-ip"
        case privateIP = "private-ip"
    }

    public var user: LoginUser
    /// nil: the ssh-agent at SSH_AUTH_SOCK.
    public var identityFile: String?
    public var address: AddressChoice
    public var hostKeys: HostKeyMode
    public var knownHosts: String
    public var port: Int
    public var connectTimeoutSeconds: Int
    public var commandTimeoutSeconds: Int

    public init(user: LoginUser = .auto, identityFile: String? = nil, address: AddressChoice = .auto,
                hostKeys: HostKeyMode = .strict, knownHosts: String = "~/.ssh/known_hosts", port: Int = 22,
                connectTimeoutSeconds: Int = 15, commandTimeoutSeconds: Int = 600) {
        self.user = user
        self.identityFile = identityFile
        self.address = address
        self.hostKeys = hostKeys
        self.knownHosts = knownHosts
        self.port = port
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.commandTimeoutSeconds = commandTimeoutSeconds
    }
}

/// The IAM part: managed policies eicsetup owns, and who they are attached to.
public struct IAMSection: Sendable, Equatable, Codable {
    public var policies: [PolicySpec]
    public var attachments: [AttachmentSpec]

    public init(policies: [PolicySpec] = [], attachments: [AttachmentSpec] = []) {
        self.policies = policies
        self.attachments = attachments
    }
}

/// A customer-managed policy allowing `ec2-instance-connect:SendSSHPublicKey`.
public struct PolicySpec: Sendable, Equatable, Codable {
    public enum Instances: Sendable, Equatable, Codable {
        /// The instances the plan selects, by ARN.
        case selected
        case ids([String])
        /// `aws:ResourceTag/KEY` conditions (all must match).
        case tags([String: String])

        /// By instance ARN (selected or ids): the document may be split into NAME, NAME-2, NAME-3….
        public var byArn: Bool {
            if case .tags = self { return false }
            return true
        }
    }

    public var name: String
    public var description: String?
    public var instances: Instances
    public var osUsers: [String]
    public var describeInstances: Bool

    /// `"adopt": true`: an existing policy of this name that eicsetup did not create (no
    /// `ManagedPolicy.ownerTag`) may be rewritten; without it such a policy is a conflict, left alone.
    public var adopt: Bool

    public init(name: String, description: String? = nil, instances: Instances, osUsers: [String], describeInstances: Bool = false,
                adopt: Bool = false) {
        self.name = name
        self.description = description
        self.instances = instances
        self.osUsers = osUsers
        self.describeInstances = describeInstances
        self.adopt = adopt
    }
}

/// Principals one policy is attached to (additively: nothing is ever detached).
public struct AttachmentSpec: Sendable, Equatable, Codable {
    public var policy: String
    public var principals: [PrincipalRef]

    public init(policy: String, principals: [PrincipalRef]) {
        self.policy = policy
        self.principals = principals
    }
}

extension PolicySpec {
    /// The names of a split policy's parts: NAME for the first, NAME-2, NAME-3… for the others (the
    /// observer reads them, the planner writes them).
    public static func partName(_ name: String, _ index: Int) -> String {
        index == 0 ? name : "\(name)-\(index + 1)"
    }
}
