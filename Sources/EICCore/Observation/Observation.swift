/// Everything `plan` read from AWS and the hosts: the planner's only input besides the plan file.
public struct Observation: Sendable {
    public var caller: CallerIdentity
    public var region: String
    /// The selected instances in DescribeInstances order.
    public var instances: [ObservedInstance]
    /// The planned groups (ids resolved), in plan order.
    public var groupIds: [String]
    /// groupId → its rules (ingress and egress), from one DescribeSecurityGroupRules.
    public var groupRules: [String: [SecurityGroupRule]]
    /// `cidr: "auto"`: the operator's address as a /32 (or /128).
    public var operatorCIDR: String?
    /// The ip-ranges.json that was read, when a rule uses one.
    public var ipRanges: IPRangesSnapshot?
    /// Prefix list name → id.
    public var prefixLists: [String: String]
    /// Policy name → what IAM has.
    public var policies: [String: ObservedPolicy]
    /// Principal → its attached managed policies; nil when the principal does not exist.
    public var attachments: [PrincipalRef: [AttachedPolicy]?]
    /// groupId → the other instances in that planned group, outside the selection (sorted ids): a rule
    /// added to the group opens tcp/22 on them too.
    public var groupMembersOutsideSelection: [String: [String]] = [:]

    public init(caller: CallerIdentity, region: String, instances: [ObservedInstance] = [], groupIds: [String] = [],
                groupRules: [String: [SecurityGroupRule]] = [:], operatorCIDR: String? = nil, ipRanges: IPRangesSnapshot? = nil,
                prefixLists: [String: String] = [:], policies: [String: ObservedPolicy] = [:],
                attachments: [PrincipalRef: [AttachedPolicy]?] = [:]) {
        self.caller = caller
        self.region = region
        self.instances = instances
        self.groupIds = groupIds
        self.groupRules = groupRules
        self.operatorCIDR = operatorCIDR
        self.ipRanges = ipRanges
        self.prefixLists = prefixLists
        self.policies = policies
        self.attachments = attachments
    }

    /// "aws", "aws-cn", "aws-us-gov": from the caller's ARN.
    public var partition: String {
        let parts = caller.arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : "aws"
    }

    /// The ARN a customer-managed policy of this name has in the caller's account (path "/").
    public func policyArn(_ name: String) -> String {
        "arn:\(partition):iam::\(caller.account):policy/\(name)"
    }
}

/// One selected instance: what EC2 says and what its host said.
public struct ObservedInstance: Sendable {
    public var cloud: CloudInstance
    /// Its AMI, when DescribeImages knew it.
    public var image: MachineImage?
    /// How it was reached (nil when it was not contacted).
    public var target: HostTarget?
    public var host: HostObservation

    public init(cloud: CloudInstance, image: MachineImage?, target: HostTarget?, host: HostObservation) {
        self.cloud = cloud
        self.image = image
        self.target = target
        self.host = host
    }

    /// "i-0abc (web-1)".
    public var displayName: String {
        cloud.tag("Name").map { "\(cloud.instanceId) (\($0))" } ?? cloud.instanceId
    }
}

/// What the read-only probe found on a host, or why there is nothing.
public enum HostObservation: Sendable {
    case facts(HostFacts)
    /// Could not log in: the connector's reason.
    case unreachable(HostConnectError)
    /// Under `"transport": "ssm"`, Run Command cannot reach it: its agent is in this state (nil: none registered).
    case agentUnavailable(AgentState?)
    /// Logged in, but the probe failed.
    case probeFailed(String)
    /// Not contacted at all (stopped, no address…).
    case notProbed(NotProbedReason)
}

/// Why the observer did not contact a host.
public enum NotProbedReason: Sendable, Equatable, Codable {
    /// The instance is not running; `state` is EC2's name for its state, e.g. "stopped".
    case notRunning(state: String)
    /// It has no address of the kind the plan connects to (`publicIP`: the plan wants a public one).
    case noAddress(publicIP: Bool)
    /// verify without a fleet key probes nothing.
    case noFleetKey
}

/// A managed policy as IAM has it.
public enum ObservedPolicy: Sendable, Equatable {
    case absent
    /// The policy, its default version's document and (when the planner may need to prune) its versions.
    case present(ManagedPolicy, defaultDocument: String?, versions: [PolicyVersion])
}

/// The parts of ip-ranges.json the plan uses.
public struct IPRangesSnapshot: Sendable, Equatable, Codable {
    public var source: String
    public var syncToken: String
    public var createDate: String
    /// The service's IPv4 prefixes in the plan's region.
    public var ipv4: [String]
    /// The service's IPv6 prefixes in the plan's region.
    public var ipv6: [String]

    public init(source: String, syncToken: String, createDate: String, ipv4: [String], ipv6: [String]) {
        self.source = source
        self.syncToken = syncToken
        self.createDate = createDate
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    /// Why this snapshot must not become rules: AWS's syncToken is a Unix time in seconds (it reaches
    /// rule descriptions, so anything else is refused), and a range of the whole address space
    /// (0.0.0.0/0, ::/0) would open the port to everyone however the source was compromised.
    public var problem: String? {
        if syncToken.isEmpty || syncToken.count > 20 || !syncToken.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) {
            return "its syncToken \"\(syncToken.prefix(40))\" is not AWS's (digits, a Unix time)"
        }
        if let everything = (ipv4 + ipv6).first(where: { $0.hasSuffix("/0") }) {
            return "it lists \(everything), the whole address space, as a \(ipv4.contains(everything) ? "IPv4" : "IPv6") range; refusing to open the port to everyone"
        }
        return nil
    }

    /// Reads AWS's ip-ranges.json format and keeps `service`'s prefixes in `region`.
    public static func parse(_ text: String, source: String, service: String, region: String) -> IPRangesSnapshot? {
        guard let root = try? JSONParser.parse(text), case .object(let top) = root else { return nil }
        func field(_ members: [(key: String, value: JSONValue)], _ key: String) -> JSONValue? {
            members.first { $0.key == key }?.value
        }
        func string(_ value: JSONValue?) -> String? { if case .string(let s)? = value { return s }; return nil }
        var ipv4: [String] = [], ipv6: [String] = []
        for (listKey, prefixKey) in [("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")] {
            guard case .array(let items)? = field(top, listKey) else { continue }
            for case .object(let item) in items where string(field(item, "service")) == service && string(field(item, "region")) == region {
                guard let prefix = string(field(item, prefixKey)), let cidr = CIDR(prefix) else { continue }
                if listKey == "prefixes" { ipv4.append(cidr.text) } else { ipv6.append(cidr.text) }
            }
        }
        let token: String
        switch field(top, "syncToken") {
        case .string(let value)?: token = value
        case .number(let value)?: token = JSONValue.number(value).serialized
        default: return nil
        }
        return IPRangesSnapshot(source: source, syncToken: token, createDate: string(field(top, "createDate")) ?? "",
                                ipv4: Array(Set(ipv4)).sorted(), ipv6: Array(Set(ipv6)).sorted())
    }
}

/// Reads a URL or a file (ip-ranges.json, the operator's address). The adapter decides how.
public protocol ResourceFetcher: Sendable {
    /// The bytes at `location` (an http(s) URL or a file path).
    func fetch(_ location: String) async throws -> [UInt8]
    /// The same, refusing an answer longer than `maxBytes` (a checkip answer is a few bytes).
    func fetch(_ location: String, maxBytes: Int) async throws -> [UInt8]
}

/// ip-ranges.json is a few MB; anything past this is not it.
public let defaultResourceLimit = 64 << 20

extension ResourceFetcher {
    public func fetch(_ location: String, maxBytes: Int) async throws -> [UInt8] {
        let bytes = try await fetch(location)
        guard bytes.count <= maxBytes else { throw ResourceTooLarge(location: location, maxBytes: maxBytes) }
        return bytes
    }
}

/// A fetched resource was longer than its cap.
public struct ResourceTooLarge: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var maxBytes: Int
    public var description: String { "the answer from \(location) is larger than \(maxBytes) bytes" }
}
