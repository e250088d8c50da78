@testable import EICCore

/// The service's error as a fake AWS would return it (code + message); the `cause` of a `CloudError`.
struct FakeServiceError: Error, Sendable, CustomStringConvertible {
    var code: String
    var message: String
    var description: String { "\(code): \(message)" }
}

/// An in-memory AWS behind the `CloudAPI` port: EC2 instances, images, security group rules, prefix
/// lists, IAM managed policies with versions, attachments and principals, and SendSSHPublicKey.
/// It behaves like the real services where the core depends on it (duplicate rules, the five-version
/// limit, EntityAlreadyExists, ten attached policies) and records every call, so tests can count
/// calls and assert that a run made no mutating call.
actor FakeCloud: CloudAPI {
    /// One recorded call: "iam:CreatePolicy", and whether it changes anything.
    struct Call: Sendable, Equatable, CustomStringConvertible {
        var name: String
        var mutating: Bool
        var description: String { mutating ? "\(name)*" : name }
    }

    struct StoredPolicy: Sendable {
        var name: String
        var policyId: String
        var description: String?
        var tags: [Tag] = []
        /// Oldest first.
        var versions: [PolicyVersion]
        var nextVersion: Int
    }

    struct SentKey: Sendable, Equatable {
        var instanceId: String
        var osUser: String
        var publicKey: String
    }

    var caller = CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/operator", userId: "AIDAFAKE")
    var instanceList: [CloudInstance] = []
    var imageList: [MachineImage] = []
    /// Groups that exist (rules of other ids are refused like AWS's InvalidGroup.NotFound).
    var groups: Set<String> = []
    var rules: [SecurityGroupRule] = []
    var prefixListList: [ManagedPrefixList] = []
    var policiesByArn: [String: StoredPolicy] = [:]
    /// Principals that exist, with their attached policies.
    var principals: [PrincipalRef: [AttachedPolicy]] = [:]
    var sentKeys: [SentKey] = []
    private(set) var calls: [Call] = []
    /// Operation name → errors to throw on its next calls (first one first).
    private var faults: [String: [CloudError.Kind]] = [:]
    private var clock = 0
    private var ruleCounter = 0

    init() {}

    // MARK: Set-up and inspection

    func addInstances(_ instances: [CloudInstance]) { instanceList += instances }
    func addImages(_ images: [MachineImage]) { imageList += images }
    func addGroup(_ id: String, rules newRules: [SecurityGroupRule] = []) {
        groups.insert(id)
        rules += newRules
    }
    /// Deletes a group and its rules (not recorded), e.g. to play "someone deleted it since the plan".
    func removeGroup(_ id: String) {
        groups.remove(id)
        rules.removeAll { $0.groupId == id }
    }
    func addPrefixList(_ list: ManagedPrefixList) { prefixListList.append(list) }
    func addPrincipal(_ principal: PrincipalRef, attached: [AttachedPolicy] = []) { principals[principal] = attached }

    /// Creates a policy directly (not recorded), e.g. to play "someone created it since the plan".
    @discardableResult
    /// A policy that exists before the run; `managed`: eicsetup created it (it carries the owner tag).
    func seedPolicy(name: String, documents: [String], managed: Bool = true) -> String {
        let arn = policyArn(name)
        var stored = StoredPolicy(name: name, policyId: "ANPA\(name.count)FAKE", description: nil,
                                  tags: managed ? [ManagedPolicy.ownerTag] : [], versions: [], nextVersion: 1)
        for (index, document) in documents.enumerated() {
            stored.versions.append(PolicyVersion(versionId: "v\(stored.nextVersion)", isDefault: index == documents.count - 1,
                                                 document: document, createDate: tick()))
            stored.nextVersion += 1
        }
        policiesByArn[arn] = stored
        return arn
    }

    /// Makes `versionId` the default version of `name` (not recorded).
    func setDefault(_ name: String, _ versionId: String) {
        guard var stored = policiesByArn[policyArn(name)] else { return }
        stored.versions = stored.versions.map {
            PolicyVersion(versionId: $0.versionId, isDefault: $0.versionId == versionId, document: $0.document, createDate: $0.createDate)
        }
        policiesByArn[policyArn(name)] = stored
    }

    /// Makes the next `times` calls of `operation` (e.g. "iam:CreatePolicy") fail with `kind`.
    func inject(_ kind: CloudError.Kind, on operation: String, times: Int = 1) {
        faults[operation, default: []] += Array(repeating: kind, count: times)
    }

    func resetCalls() { calls = [] }
    var mutatingCalls: [Call] { calls.filter(\.mutating) }
    func count(_ name: String) -> Int { calls.filter { $0.name == name }.count }
    func stored(_ name: String) -> StoredPolicy? { policiesByArn[policyArn(name)] }
    func ingressRules(of group: String) -> [SecurityGroupRule] { rules.filter { $0.groupId == group && !$0.isEgress } }

    func policyArn(_ name: String) -> String { "arn:aws:iam::\(caller.account):policy/\(name)" }

    // MARK: CloudAPI — EC2 and STS

    func callerIdentity() async throws -> CallerIdentity {
        try record("sts:GetCallerIdentity")
        return caller
    }

    func instances(_ selection: InstanceSelection) async throws -> [CloudInstance] {
        try record("ec2:DescribeInstances")
        return instanceList.filter { instance in
            (selection.ids.isEmpty || selection.ids.contains(instance.instanceId))
                && selection.tags.allSatisfy { instance.tag($0.key) == $0.value }
                && selection.filters.allSatisfy { name, values in Self.matches(instance, filter: name, values: values) }
        }
    }

    static func matches(_ instance: CloudInstance, filter name: String, values: [String]) -> Bool {
        switch name {
        case "instance-state-name": return values.contains(instance.state)
        case "instance-id": return values.contains(instance.instanceId)
        case "image-id": return values.contains(instance.imageId)
        case "instance.group-id": return instance.securityGroupIds.contains(where: values.contains)
        case _ where name.hasPrefix("tag:"): return instance.tag(String(name.dropFirst(4))).map(values.contains) ?? false
        default: return false
        }
    }

    func images(ids: [String]) async throws -> [MachineImage] {
        try record("ec2:DescribeImages")
        return imageList.filter { ids.contains($0.imageId) }
    }

    func securityGroups(ids: [String]) async throws -> [String] {
        let operation = "ec2:DescribeSecurityGroups"
        try record(operation)
        // Like EC2: one missing group refuses the whole call.
        if let missing = ids.first(where: { !groups.contains($0) }) {
            throw fail(.notFound, operation, "InvalidGroup.NotFound", "The security group '\(missing)' does not exist")
        }
        return ids
    }

    func securityGroupRules(groupIds: [String]) async throws -> [SecurityGroupRule] {
        try record("ec2:DescribeSecurityGroupRules")
        return rules.filter { groupIds.contains($0.groupId) }
    }

    func prefixLists(names: [String]) async throws -> [ManagedPrefixList] {
        try record("ec2:DescribeManagedPrefixLists")
        return prefixListList.filter { names.contains($0.name) }
    }

    func authorizeIngress(groupId: String, permissions: [IngressPermission]) async throws {
        let operation = "ec2:AuthorizeSecurityGroupIngress"
        try record(operation, mutating: true)
        guard groups.contains(groupId) else {
            throw fail(.notFound, operation, "InvalidGroup.NotFound", "The security group '\(groupId)' does not exist")
        }
        // Like EC2: the whole call is refused when any permission already exists.
        for permission in permissions where rules.contains(where: { Self.same($0, groupId, permission) }) {
            throw fail(.duplicate, operation, "InvalidPermission.Duplicate",
                       "the specified rule \"peer: \(permission.source), TCP, from port: \(permission.fromPort)\" already exists")
        }
        for permission in permissions {
            ruleCounter += 1
            var v4: String?, v6: String?, list: String?
            switch permission.source {
            case .cidrIpv4(let cidr): v4 = cidr
            case .cidrIpv6(let cidr): v6 = cidr
            case .prefixList(let id): list = id
            }
            rules.append(SecurityGroupRule(ruleId: "sgr-fake\(ruleCounter)", groupId: groupId, isEgress: false,
                                           ipProtocol: permission.ipProtocol, fromPort: permission.fromPort, toPort: permission.toPort,
                                           cidrIpv4: v4, cidrIpv6: v6, prefixListId: list, description: permission.description))
        }
    }

    static func same(_ rule: SecurityGroupRule, _ groupId: String, _ permission: IngressPermission) -> Bool {
        guard rule.groupId == groupId, !rule.isEgress, rule.ipProtocol == permission.ipProtocol,
              rule.fromPort == permission.fromPort, rule.toPort == permission.toPort else { return false }
        switch permission.source {
        case .cidrIpv4(let cidr): return rule.cidrIpv4 == cidr
        case .cidrIpv6(let cidr): return rule.cidrIpv6 == cidr
        case .prefixList(let id): return rule.prefixListId == id
        }
    }

    // MARK: CloudAPI — IAM

    func policy(arn: String) async throws -> ManagedPolicy? {
        try record("iam:GetPolicy")
        return policiesByArn[arn].map { managed(arn, $0) }
    }

    private func managed(_ arn: String, _ stored: StoredPolicy) -> ManagedPolicy {
        let attachments = principals.values.filter { $0.contains { $0.policyArn == arn } }.count
        return ManagedPolicy(arn: arn, name: stored.name, policyId: stored.policyId,
                             defaultVersionId: stored.versions.first(where: \.isDefault)?.versionId ?? "v1", attachmentCount: attachments,
                             tags: stored.tags)
    }

    func policyVersion(arn: String, versionId: String) async throws -> PolicyVersion {
        let operation = "iam:GetPolicyVersion"
        try record(operation)
        guard let version = policiesByArn[arn]?.versions.first(where: { $0.versionId == versionId }) else {
            throw fail(.notFound, operation, "NoSuchEntity", "Policy \(arn) version \(versionId) does not exist")
        }
        return version
    }

    func policyVersions(arn: String) async throws -> [PolicyVersion] {
        let operation = "iam:ListPolicyVersions"
        try record(operation)
        guard let stored = policiesByArn[arn] else { throw fail(.notFound, operation, "NoSuchEntity", "Policy \(arn) was not found") }
        // Like IAM: newest first, without documents.
        return stored.versions.reversed().map { PolicyVersion(versionId: $0.versionId, isDefault: $0.isDefault, document: nil, createDate: $0.createDate) }
    }

    func createPolicy(name: String, document: String, description: String?, tags: [Tag]) async throws -> ManagedPolicy {
        let operation = "iam:CreatePolicy"
        try record(operation, mutating: true)
        let arn = policyArn(name)
        guard policiesByArn[arn] == nil else {
            throw fail(.alreadyExists, operation, "EntityAlreadyExists", "A policy called \(name) already exists. Duplicate names are not allowed.")
        }
        let stored = StoredPolicy(name: name, policyId: "ANPA\(name.count)FAKE", description: description, tags: tags,
                                  versions: [PolicyVersion(versionId: "v1", isDefault: true, document: document, createDate: tick())],
                                  nextVersion: 2)
        policiesByArn[arn] = stored
        return managed(arn, stored)
    }

    func createPolicyVersion(arn: String, document: String, setAsDefault: Bool) async throws -> PolicyVersion {
        let operation = "iam:CreatePolicyVersion"
        try record(operation, mutating: true)
        guard var stored = policiesByArn[arn] else { throw fail(.notFound, operation, "NoSuchEntity", "Policy \(arn) was not found") }
        guard stored.versions.count < Planner.IAMQuota.policyVersions else {
            throw fail(.limitExceeded, operation, "LimitExceeded", "A managed policy can have up to 5 versions")
        }
        if setAsDefault {
            stored.versions = stored.versions.map { PolicyVersion(versionId: $0.versionId, isDefault: false, document: $0.document, createDate: $0.createDate) }
        }
        let version = PolicyVersion(versionId: "v\(stored.nextVersion)", isDefault: setAsDefault, document: document, createDate: tick())
        stored.versions.append(version)
        stored.nextVersion += 1
        policiesByArn[arn] = stored
        return version
    }

    func deletePolicyVersion(arn: String, versionId: String) async throws {
        let operation = "iam:DeletePolicyVersion"
        try record(operation, mutating: true)
        guard var stored = policiesByArn[arn], let index = stored.versions.firstIndex(where: { $0.versionId == versionId }) else {
            throw fail(.notFound, operation, "NoSuchEntity", "Policy \(arn) version \(versionId) does not exist")
        }
        guard !stored.versions[index].isDefault else {
            throw fail(.other, operation, "DeleteConflict", "Cannot delete the default version of a policy")
        }
        stored.versions.remove(at: index)
        policiesByArn[arn] = stored
    }

    func attachedPolicies(of principal: PrincipalRef) async throws -> [AttachedPolicy]? {
        try record("iam:ListAttached\(principal.kind.rawValue)Policies")
        return principals[principal]
    }

    func attachPolicy(arn: String, to principal: PrincipalRef) async throws {
        let operation = "iam:Attach\(principal.kind.rawValue)Policy"
        try record(operation, mutating: true)
        guard var attached = principals[principal] else {
            throw fail(.notFound, operation, "NoSuchEntity", "The \(principal) cannot be found")
        }
        guard let stored = policiesByArn[arn] else { throw fail(.notFound, operation, "NoSuchEntity", "Policy \(arn) does not exist") }
        if attached.contains(where: { $0.policyArn == arn }) { return }  // IAM treats a repeat as success.
        guard attached.count < Planner.IAMQuota.attachedPolicies else {
            throw fail(.limitExceeded, operation, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10")
        }
        attached.append(AttachedPolicy(policyArn: arn, policyName: stored.name))
        principals[principal] = attached
    }

    // MARK: CloudAPI — EC2 Instance Connect

    func sendSSHPublicKey(instanceId: String, osUser: String, publicKey: String, availabilityZone: String?) async throws {
        let operation = "ec2-instance-connect:SendSSHPublicKey"
        try record(operation, mutating: true)
        guard instanceList.contains(where: { $0.instanceId == instanceId }) else {
            throw fail(.notFound, operation, "EC2InstanceNotFoundException", "Instance \(instanceId) not found")
        }
        sentKeys.append(SentKey(instanceId: instanceId, osUser: osUser, publicKey: publicKey))
    }

    // MARK: Helpers

    /// Registered SSM agents by instance id (DescribeInstanceInformation); absent: no agent.
    var agentStates: [String: AgentState] = [:]

    func setAgent(_ state: AgentState?, for instanceId: String) { agentStates[instanceId] = state }

    func agents(instanceIds: [String]) async throws -> [String: AgentState] {
        try record("ssm:DescribeInstanceInformation")
        return agentStates.filter { instanceIds.contains($0.key) }
    }

    private func record(_ name: String, mutating: Bool = false) throws {
        calls.append(Call(name: name, mutating: mutating))
        if var pending = faults[name], !pending.isEmpty {
            let kind = pending.removeFirst()
            faults[name] = pending
            throw fail(kind, name, "Injected\(kind.rawValue.capitalized)", "injected fault")
        }
    }

    private func fail(_ kind: CloudError.Kind, _ operation: String, _ code: String, _ message: String) -> CloudError {
        CloudError(kind: kind, operation: operation, code: code, cause: FakeServiceError(code: code, message: message))
    }

    /// A strictly increasing ISO-8601 time, so "oldest" is well defined.
    private func tick() -> String {
        clock += 1
        let minutes = clock / 60, seconds = clock % 60
        return "2026-01-01T00:\(minutes < 10 ? "0" : "")\(minutes):\(seconds < 10 ? "0" : "")\(seconds)Z"
    }
}

/// Serves fixed bytes for URLs and paths (checkip, ip-ranges.json) and counts fetches.
actor FakeFetcher: ResourceFetcher {
    var resources: [String: String]
    private(set) var fetched: [String] = []

    init(_ resources: [String: String] = [:]) { self.resources = resources }

    func set(_ location: String, _ text: String) { resources[location] = text }

    func fetch(_ location: String) async throws -> [UInt8] {
        fetched.append(location)
        guard let text = resources[location] else { throw FakeServiceError(code: "404", message: "no such resource \(location)") }
        return Array(text.utf8)
    }
}
