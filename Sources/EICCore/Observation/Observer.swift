import Foundation

/// Reads everything a plan depends on, through the ports only (design §5, steps 1–2): a fixed number
/// of AWS calls whatever the fleet size, then one SSH probe per instance, `parallelism` at a time.
public struct Observer: Sendable {
    public let cloud: any CloudAPI
    public let connector: any HostConnector
    public let fetcher: any ResourceFetcher
    public var parallelism: Int
    /// Where `cidr: "auto"` learns the operator's public address (AWS's checkip service by default).
    public var operatorAddressURL: String
    /// An address is at most 45 characters; a longer answer is not one (and is not read further).
    static let operatorAddressLimit = 1024
    /// Called after each host was probed: (done, total).
    public var onHostProbed: @Sendable (Int, Int) -> Void

    public init(cloud: any CloudAPI, connector: any HostConnector, fetcher: any ResourceFetcher, parallelism: Int = 10,
                operatorAddressURL: String = "https://checkip.amazonaws.com/",
                onHostProbed: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) {
        self.cloud = cloud
        self.connector = connector
        self.fetcher = fetcher
        self.parallelism = parallelism
        self.operatorAddressURL = operatorAddressURL
        self.onHostProbed = onHostProbed
    }

    /// The observation; every probe's session is closed right after it (plan, verify).
    public func observe(_ plan: PlanFile, region: String) async throws(ObserveError) -> Observation {
        try await observe(plan, region: region, into: nil)
    }

    /// The observation; the sessions of hosts that apply will work on are handed to `sessions` (the one
    /// owner of open sessions between observation and execution: it keeps at most its limit open,
    /// remembers every probe target to reopen the others, and `closeAll` ends them).
    public func observe(_ plan: PlanFile, region: String, into sessions: HostSessions) async throws(ObserveError) -> Observation {
        try await observe(plan, region: region, into: Optional(sessions))
    }

    func observe(_ plan: PlanFile, region: String, into kept: HostSessions?) async throws(ObserveError) -> Observation {
        let caller = try await step("find out who is calling (sts:GetCallerIdentity)") { try await cloud.callerIdentity() }
        var observation = Observation(caller: caller, region: region)

        var cloudInstances: [CloudInstance] = []
        if let section = plan.instances {
            cloudInstances = try await step("read the selected instances (ec2:DescribeInstances)") {
                try await cloud.instances(section.select)
            }.filter { $0.lifecycle != .terminated }
        }
        var images: [String: MachineImage] = [:]
        let imageIds = Array(Set(cloudInstances.map(\.imageId))).filter { !$0.isEmpty }.sorted()
        if !imageIds.isEmpty, case .auto? = plan.instances?.ssh.user {
            // Only to choose the login user: without it, users are tried in order.
            let found = (try? await cloud.images(ids: imageIds)) ?? []
            for image in found { images[image.imageId] = image }
        }

        observation.groupIds = resolveGroups(plan, instances: cloudInstances)
        try await checkNamedGroupsExist(plan, region: region)
        if !observation.groupIds.isEmpty {
            let rules = try await step("read the security group rules (ec2:DescribeSecurityGroupRules)") {
                try await cloud.securityGroupRules(groupIds: observation.groupIds)
            }
            observation.groupRules = Dictionary(grouping: rules, by: \.groupId)
            for id in observation.groupIds where observation.groupRules[id] == nil { observation.groupRules[id] = [] }
            if plan.instances != nil {
                observation.groupMembersOutsideSelection = try await membersOutside(observation.groupIds, selected: cloudInstances)
            }
        }
        try await readSources(plan, into: &observation)
        try await readIAM(plan, into: &observation)

        let agents = try await readAgents(plan, cloudInstances)
        observation.instances = await probe(cloudInstances, images: images, plan: plan, into: kept, agents: agents)
        return observation
    }

    /// The SSM agents of the running selected instances, when the plan's transport may use them:
    /// one DescribeInstanceInformation per 50 instances (AWS's limit of ids per filter).
    func readAgents(_ plan: PlanFile, _ instances: [CloudInstance]) async throws(ObserveError) -> [String: AgentState] {
        guard let section = plan.instances, section.transport != .ssh else { return [:] }
        let running = instances.filter { $0.lifecycle == .running }.map(\.instanceId)
        guard !running.isEmpty else { return [:] }
        return try await step("read the instances' SSM agents (ssm:DescribeInstanceInformation)") {
            try await cloud.agents(instanceIds: running)
        }
    }

    /// Who else a rule on these groups exposes: one DescribeInstances filtered by `instance.group-id` per
    /// 200 groups (EC2's limit of values per filter), so the count does not grow with the fleet.
    func membersOutside(_ groupIds: [String], selected: [CloudInstance]) async throws(ObserveError) -> [String: [String]] {
        let selectedIds = Set(selected.map(\.instanceId))
        var members: [String: [String]] = [:]
        for start in stride(from: 0, to: groupIds.count, by: 200) {
            let chunk = Array(groupIds[start..<min(start + 200, groupIds.count)])
            let found = try await step("read the other instances in the planned security groups (ec2:DescribeInstances)") {
                try await cloud.instances(InstanceSelection(filters: ["instance.group-id": chunk]))
            }
            for instance in found where instance.lifecycle != .terminated && !selectedIds.contains(instance.instanceId) {
                for group in instance.securityGroupIds where chunk.contains(group) { members[group, default: []].append(instance.instanceId) }
            }
        }
        return members.mapValues { Array(Set($0)).sorted() }
    }

    func resolveGroups(_ plan: PlanFile, instances: [CloudInstance]) -> [String] {
        var ids: [String] = []
        for entry in plan.securityGroups {
            switch entry.target {
            case .groupId(let id): ids.append(id)
            case .groupsOfSelectedInstances: ids += instances.flatMap(\.securityGroupIds)
            }
        }
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// A group the plan names by id must exist: otherwise DescribeSecurityGroupRules would just find no
    /// rules and the plan would offer to add them, only for apply to fail. Groups of the selected
    /// instances exist by definition and cost no call.
    func checkNamedGroupsExist(_ plan: PlanFile, region: String) async throws(ObserveError) {
        var named: [String] = []
        for entry in plan.securityGroups {
            if case .groupId(let id) = entry.target, !named.contains(id) { named.append(id) }
        }
        guard !named.isEmpty else { return }
        let step = "check that the plan's security groups exist (ec2:DescribeSecurityGroups)"
        let found = try await self.step(step) { try await cloud.securityGroups(ids: named) }
        if let missing = named.first(where: { !found.contains($0) }) {
            throw ObserveError(step: step, reason: "security group \(missing) does not exist in \(region)")
        }
    }

    func readSources(_ plan: PlanFile, into observation: inout Observation) async throws(ObserveError) {
        let sources = plan.securityGroups.flatMap(\.ingress).map(\.source)
        if sources.contains(.operatorAddress) {
            let url = operatorAddressURL
            let bytes = try await step("find your public address at \(url) (for \"cidr\": \"auto\")") { try await fetcher.fetch(url, maxBytes: Self.operatorAddressLimit) }
            let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            if let cidr = CIDR.host(text) {
                observation.operatorCIDR = cidr.text
            } else {
                throw ObserveError(step: "find your public address at \(url)", reason: "the answer \"\(text.prefix(60))\" is not an IP address")
            }
        }
        for case .ipRanges(let service, let source) in sources where observation.ipRanges == nil {
            let bytes = try await step("read ip-ranges.json from \(source)") { try await fetcher.fetch(source) }
            guard let snapshot = IPRangesSnapshot.parse(String(decoding: bytes, as: UTF8.self), source: source,
                                                        service: service, region: observation.region) else {
                throw ObserveError(step: "read ip-ranges.json from \(source)", reason: "not in AWS's ip-ranges.json format (syncToken, prefixes)")
            }
            if let problem = snapshot.problem {
                throw ObserveError(step: "read ip-ranges.json from \(source)", reason: problem)
            }
            guard !(snapshot.ipv4.isEmpty && snapshot.ipv6.isEmpty) else {
                throw ObserveError(step: "read ip-ranges.json from \(source)",
                                   reason: "it lists no \(service) ranges for \(observation.region); check the region")
            }
            observation.ipRanges = snapshot
        }
        let names = sources.compactMap { source -> String? in
            if case .prefixList(let name) = source, !name.hasPrefix("pl-") { return name }
            return nil
        }
        if !names.isEmpty {
            let lists = try await step("find the managed prefix lists (ec2:DescribeManagedPrefixLists)") {
                try await cloud.prefixLists(names: Array(Set(names)).sorted())
            }
            for list in lists { observation.prefixLists[list.name] = list.prefixListId }
        }
    }

    func readIAM(_ plan: PlanFile, into observation: inout Observation) async throws(ObserveError) {
        guard let iam = plan.iam else { return }
        for policy in iam.policies {
            // A policy by instance ARN may have been split into NAME, NAME-2, NAME-3… (IAM's size quota):
            // read parts until the first that does not exist.
            for index in 0..<64 {
                let name = PolicySpec.partName(policy.name, index)
                let arn = observation.policyArn(name)
                let found = try await step("read the policy \(name) (iam:GetPolicy)") { try await cloud.policy(arn: arn) }
                guard let found else {
                    observation.policies[name] = .absent
                    break
                }
                let version = try await step("read the policy \(name)'s default version (iam:GetPolicyVersion)") {
                    try await cloud.policyVersion(arn: arn, versionId: found.defaultVersionId)
                }
                let versions = try await step("list the versions of \(name) (iam:ListPolicyVersions)") {
                    try await cloud.policyVersions(arn: arn)
                }
                observation.policies[name] = .present(found, defaultDocument: version.document, versions: versions)
                if case .tags = policy.instances { break }
            }
        }
        var seen = Set<PrincipalRef>()
        for principal in iam.attachments.flatMap(\.principals) where seen.insert(principal).inserted {
            let attached = try await step("list the policies attached to \(principal)") { try await cloud.attachedPolicies(of: principal) }
            observation.attachments[principal] = .some(attached)
        }
    }

    /// Runs `body`, turning any error into an `ObserveError` that names the step.
    func step<T>(_ name: String, _ body: () async throws -> T) async throws(ObserveError) -> T {
        do {
            return try await body()
        } catch {
            throw ObserveError(step: name, reason: String(describing: error), cause: error)
        }
    }
}

/// Observation stopped: which read failed and why (the cause's own message, which names the fix), with
/// the cause itself (a `CloudError` keeps the AWS code and request id for `--json`).
public struct ObserveError: Error, Sendable, CustomStringConvertible {
    public var step: String
    public var reason: String
    public var cause: (any Error & Sendable)?

    public init(step: String, reason: String, cause: (any Error & Sendable)? = nil) {
        self.step = step
        self.reason = reason
        self.cause = cause
    }

    public var description: String { "could not \(step): \(reason)" }
}
