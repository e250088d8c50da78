/// The port through which the core reaches AWS (design §4): everything plan, apply and verify read or
/// change in EC2, IAM, STS and EC2 Instance Connect. `EICAWS.AWSCloud` implements it over the service
/// clients; core tests use an in-memory fake. Every method throws `CloudError`.
public protocol CloudAPI: Sendable {
    /// STS GetCallerIdentity.
    func callerIdentity() async throws -> CallerIdentity
    /// Every instance matching `selection` (one paginated DescribeInstances).
    func instances(_ selection: InstanceSelection) async throws -> [CloudInstance]
    /// The AMIs of `ids` (one DescribeImages), for telling Amazon Linux from Ubuntu.
    func images(ids: [String]) async throws -> [MachineImage]
    /// The ids among `ids` of groups that exist (one DescribeSecurityGroups). AWS refuses the whole call
    /// with `InvalidGroup.NotFound` (kind `.notFound`), naming the group, when one of them does not exist.
    func securityGroups(ids: [String]) async throws -> [String]
    /// Every rule of the given groups (one paginated DescribeSecurityGroupRules).
    func securityGroupRules(groupIds: [String]) async throws -> [SecurityGroupRule]
    /// The managed prefix lists with these names (one DescribeManagedPrefixLists).
    func prefixLists(names: [String]) async throws -> [ManagedPrefixList]
    /// AuthorizeSecurityGroupIngress; a duplicate rule throws `CloudError` of kind `.duplicate`.
    func authorizeIngress(groupId: String, permissions: [IngressPermission]) async throws

    /// GetPolicy; nil when no such policy exists.
    func policy(arn: String) async throws -> ManagedPolicy?
    /// GetPolicyVersion, with the decoded document.
    func policyVersion(arn: String, versionId: String) async throws -> PolicyVersion
    /// ListPolicyVersions (documents not included).
    func policyVersions(arn: String) async throws -> [PolicyVersion]
    /// CreatePolicy; an existing name throws `.alreadyExists`.
    func createPolicy(name: String, document: String, description: String?, tags: [Tag]) async throws -> ManagedPolicy
    /// CreatePolicyVersion.
    func createPolicyVersion(arn: String, document: String, setAsDefault: Bool) async throws -> PolicyVersion
    /// DeletePolicyVersion (only ever a non-default version the tool itself would otherwise exceed the limit with).
    func deletePolicyVersion(arn: String, versionId: String) async throws
    /// ListAttached{User,Group,Role}Policies; nil when the principal does not exist.
    func attachedPolicies(of principal: PrincipalRef) async throws -> [AttachedPolicy]?
    /// Attach{User,Group,Role}Policy (additive; there is deliberately no detach in this port).
    func attachPolicy(arn: String, to principal: PrincipalRef) async throws

    /// EC2 Instance Connect SendSSHPublicKey: the key is accepted for 60 seconds.
    func sendSSHPublicKey(instanceId: String, osUser: String, publicKey: String, availabilityZone: String?) async throws

    /// The SSM agents of `instanceIds` (paginated DescribeInstanceInformation, 50 ids per filter): a
    /// missing id has no registered agent.
    func agents(instanceIds: [String]) async throws -> [String: AgentState]
}

/// Which instances a plan targets: ids, tags and DescribeInstances filters, all of which must match.
public struct InstanceSelection: Sendable, Equatable, Codable {
    public var ids: [String]
    public var tags: [String: String]
    public var filters: [String: [String]]

    public init(ids: [String] = [], tags: [String: String] = [:], filters: [String: [String]] = [:]) {
        self.ids = ids
        self.tags = tags
        self.filters = filters
    }

    /// The DescribeInstances filters this selection means (tags become `tag:KEY` filters), sorted.
    public var describeFilters: [(name: String, values: [String])] {
        let tagFilters = tags.map { (name: "tag:\($0.key)", values: [$0.value]) }
        let plain = filters.map { (name: $0.key, values: $0.value) }
        return (tagFilters + plain).sorted { $0.name < $1.name }
    }
}

/// An IAM user, group or role by name.
public struct PrincipalRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: PrincipalKind
    public var name: String

    public init(kind: PrincipalKind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// "user eic-user".
    public var description: String { "\(kind.rawValue.lowercased()) \(name)" }
}

/// The core's error for everything that went wrong behind `CloudAPI`. It keeps the adapter's error as
/// `cause` (whose description is already free of secrets) and a kind the core can branch on.
public struct CloudError: Error, Sendable, CustomStringConvertible {
    /// What the core reacts to.
    public enum Kind: String, Sendable {
        case notFound, alreadyExists, duplicate, accessDenied, limitExceeded, throttled, transport, other
    }

    public var kind: Kind
    /// "ec2:DescribeInstances".
    public var operation: String
    /// The service's error code, e.g. "InvalidPermission.Duplicate".
    public var code: String?
    /// The adapter's error.
    public var cause: any Error & Sendable

    public init(kind: Kind, operation: String, code: String?, cause: any Error & Sendable) {
        self.kind = kind
        self.operation = operation
        self.code = code
        self.cause = cause
    }

    public var description: String { String(describing: cause) }
}
