import Foundation

/// Who is calling AWS (STS GetCallerIdentity).
public struct CallerIdentity: Sendable, Equatable, Codable {
    public let account: String
    public let arn: String
    public let userId: String

    public init(account: String, arn: String, userId: String) {
        self.account = account
        self.arn = arn
        self.userId = userId
    }
}

/// A key/value tag.
public struct Tag: Sendable, Equatable, Hashable, Codable {
    public let key: String
    public let value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// The facts about one EC2 instance that planning needs.
public struct CloudInstance: Sendable, Equatable, Codable {
    public let instanceId: String
    public let state: String
    public let imageId: String
    public let privateIpAddress: String?
    public let publicIpAddress: String?
    public let availabilityZone: String?
    public let platformDetails: String?
    public let keyName: String?
    public let vpcId: String?
    public let subnetId: String?
    public let securityGroupIds: [String]
    public let tags: [Tag]

    public init(instanceId: String, state: String, imageId: String, privateIpAddress: String?, publicIpAddress: String?,
                availabilityZone: String?, platformDetails: String?, keyName: String?, vpcId: String?, subnetId: String?,
                securityGroupIds: [String], tags: [Tag]) {
        self.instanceId = instanceId
        self.state = state
        self.imageId = imageId
        self.privateIpAddress = privateIpAddress
        self.publicIpAddress = publicIpAddress
        self.availabilityZone = availabilityZone
        self.platformDetails = platformDetails
        self.keyName = keyName
        self.vpcId = vpcId
        self.subnetId = subnetId
        self.securityGroupIds = securityGroupIds
        self.tags = tags
    }

    /// The value of tag `key`, if set.
    public func tag(_ key: String) -> String? {
        tags.first { $0.key == key }?.value
    }
}

/// A security group (without its rules, which come from DescribeSecurityGroupRules).
public struct SecurityGroup: Sendable, Equatable, Codable {
    public let groupId: String
    public let groupName: String
    public let vpcId: String?
    public let description: String

    public init(groupId: String, groupName: String, vpcId: String?, description: String) {
        self.groupId = groupId
        self.groupName = groupName
        self.vpcId = vpcId
        self.description = description
    }
}

/// One rule of a security group, as DescribeSecurityGroupRules reports it.
public struct SecurityGroupRule: Sendable, Equatable, Codable {
    public let ruleId: String
    public let groupId: String
    public let isEgress: Bool
    public let ipProtocol: String
    public let fromPort: Int?
    public let toPort: Int?
    public let cidrIpv4: String?
    public let cidrIpv6: String?
    public let prefixListId: String?
    public let description: String?

    public init(ruleId: String, groupId: String, isEgress: Bool, ipProtocol: String, fromPort: Int?, toPort: Int?,
                cidrIpv4: String?, cidrIpv6: String?, prefixListId: String?, description: String?) {
        self.ruleId = ruleId
        self.groupId = groupId
        self.isEgress = isEgress
        self.ipProtocol = ipProtocol
        self.fromPort = fromPort
        self.toPort = toPort
        self.cidrIpv4 = cidrIpv4
        self.cidrIpv6 = cidrIpv6
        self.prefixListId = prefixListId
        self.description = description
    }
}

/// An ingress permission to add: one port range from one source.
public struct IngressPermission: Sendable, Equatable, Codable {
    public enum Source: Sendable, Equatable, Codable {
        case cidrIpv4(String)
        case cidrIpv6(String)
        case prefixList(String)
    }

    public let ipProtocol: String
    public let fromPort: Int
    public let toPort: Int
    public let source: Source
    public let description: String?

    public init(ipProtocol: String = "tcp", fromPort: Int, toPort: Int, source: Source, description: String? = nil) {
        self.ipProtocol = ipProtocol
        self.fromPort = fromPort
        self.toPort = toPort
        self.source = source
        self.description = description
    }
}

/// A managed prefix list (e.g. `com.amazonaws.us-east-1.ec2-instance-connect`).
public struct ManagedPrefixList: Sendable, Equatable, Codable {
    public let prefixListId: String
    public let name: String

    public init(prefixListId: String, name: String) {
        self.prefixListId = prefixListId
        self.name = name
    }
}

/// An AMI, for telling Amazon Linux from Ubuntu and their versions.
public struct MachineImage: Sendable, Equatable, Codable {
    public let imageId: String
    public let name: String?
    public let description: String?
    public let platformDetails: String?
    public let creationDate: String?

    public init(imageId: String, name: String?, description: String?, platformDetails: String?, creationDate: String?) {
        self.imageId = imageId
        self.name = name
        self.description = description
        self.platformDetails = platformDetails
        self.creationDate = creationDate
    }
}

/// A customer-managed IAM policy.
public struct ManagedPolicy: Sendable, Equatable, Codable {
    public let arn: String
    public let name: String
    public let policyId: String
    public let defaultVersionId: String
    public let attachmentCount: Int
    /// The policy's tags (GetPolicy): `ManagedPolicy.ownerTag` marks one eicsetup created.
    public let tags: [Tag]

    public init(arn: String, name: String, policyId: String, defaultVersionId: String, attachmentCount: Int, tags: [Tag] = []) {
        self.arn = arn
        self.name = name
        self.policyId = policyId
        self.defaultVersionId = defaultVersionId
        self.attachmentCount = attachmentCount
        self.tags = tags
    }

    /// The tag eicsetup puts on every policy it creates: a policy of the same name without it belongs to
    /// someone else, and eicsetup does not rewrite it (or prune its versions) unless the plan adopts it.
    public static let ownerTag = Tag(key: "managed-by", value: "eicsetup")

    /// Whether eicsetup created this policy.
    public var isManagedByEICSetup: Bool { tags.contains(Self.ownerTag) }
}

/// One version of a managed policy; `document` is the decoded JSON text.
/// The one rule for which version to delete when a policy is at IAM's limit of 5 (planner and executor).
extension PolicyVersion {
    /// The oldest non-default version, when `versions` has reached `limit`; else nil.
    public static func pruneCandidate(_ versions: [PolicyVersion], limit: Int = 5) -> PolicyVersion? {
        guard versions.count >= limit else { return nil }
        return versions.filter { !$0.isDefault }.min { ($0.createDate ?? "", $0.versionId) < ($1.createDate ?? "", $1.versionId) }
    }
}

public struct PolicyVersion: Sendable, Equatable, Codable {
    public let versionId: String
    public let isDefault: Bool
    public let document: String?
    public let createDate: String?

    public init(versionId: String, isDefault: Bool, document: String?, createDate: String?) {
        self.versionId = versionId
        self.isDefault = isDefault
        self.document = document
        self.createDate = createDate
    }
}

/// A managed policy attached to a user, group or role.
public struct AttachedPolicy: Sendable, Equatable, Hashable, Codable {
    public let policyArn: String
    public let policyName: String

    public init(policyArn: String, policyName: String) {
        self.policyArn = policyArn
        self.policyName = policyName
    }
}

/// The three kinds of IAM principal a policy can be attached to.
public enum PrincipalKind: String, Sendable, Codable, CaseIterable {
    case user = "User"
    case group = "Group"
    case role = "Role"
}

/// An IAM user, group or role that exists.
public struct IAMPrincipal: Sendable, Equatable, Codable {
    public let kind: PrincipalKind
    public let name: String
    public let arn: String
    public let id: String

    public init(kind: PrincipalKind, name: String, arn: String, id: String) {
        self.kind = kind
        self.name = name
        self.arn = arn
        self.id = id
    }
}
