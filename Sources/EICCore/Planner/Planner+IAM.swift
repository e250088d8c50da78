/// IAM: the policy document eicsetup owns, and additive attachments.
extension Planner {
    /// IAM's documented quotas that decide plans (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
    public enum IAMQuota {
        /// Managed policy document size, whitespace not counted.
        public static let managedPolicyCharacters = 6_144
        /// Versions kept per managed policy.
        public static let policyVersions = 5
        /// Managed policies attached to one user, group or role (default quota).
        public static let attachedPolicies = 10
    }

    /// The document the plan wants for `spec`, or why there is none.
    public func document(for spec: PolicySpec, _ observation: Observation) -> Result<String, PolicyProblem> {
        let osUsers = JSONValue.array(spec.osUsers.map { .string($0) })
        let drop: Set<String> = spec.describeInstances ? [] : ["DescribeInstances"]
        let template: String
        var bindings: [String: JSONValue] = ["osUsers": osUsers, "partition": .string(observation.partition),
                                             "region": .string(observation.region), "account": .string(observation.caller.account)]
        switch spec.instances {
        case .selected, .ids:
            let ids: [String]
            if case .ids(let given) = spec.instances { ids = given } else { ids = observation.instances.map(\.cloud.instanceId) }
            guard !ids.isEmpty else { return .failure(.noInstances) }
            let arns = Array(Set(ids)).sorted().map {
                JSONValue.string("arn:\(observation.partition):ec2:\(observation.region):\(observation.caller.account):instance/\($0)")
            }
            bindings["instanceArns"] = .array(arns)
            template = templates.byInstanceArn
        case .tags(let tags):
            bindings["resourceTagConditions"] = .object(tags.sorted { $0.key < $1.key }.map { ("aws:ResourceTag/\($0.key)", .string($0.value)) })
            template = templates.byTag
        }
        let document: String
        do {
            document = try PolicyDocument.fill(template, bindings: bindings, dropStatements: drop)
        } catch {
            return .failure(.template(error.description))
        }
        let size = document.filter { !$0.isWhitespace }.count
        guard size <= IAMQuota.managedPolicyCharacters else { return .failure(.tooLarge(size)) }
        return .success(document)
    }

    func policyAction(_ spec: PolicySpec, _ observation: Observation) -> PlannedAction {
        let address = "iam_policy[\(spec.name)]"
        let document: String
        switch self.document(for: spec, observation) {
        case .success(let text): document = text
        case .failure(let problem):
            return PlannedAction(address: address, kind: .iamPolicy, change: .skip, before: nil, after: nil, reason: problem.description)
        }
        let allows = "SendSSHPublicKey as \(spec.osUsers.joined(separator: ", "))"
        switch observation.policies[spec.name] ?? .absent {
        case .absent:
            return PlannedAction(address: address, kind: .iamPolicy, change: .create, before: nil, after: allows,
                                 reason: "no policy named \(spec.name) in account \(observation.caller.account)",
                                 operation: .createPolicy(name: spec.name, document: document, description: spec.description))
        case .present(let policy, let current, let versions):
            if let current, PolicyDocument.equivalent(current, document) {
                return PlannedAction(address: address, kind: .iamPolicy, change: .noOp, before: allows, after: nil,
                                     reason: "version \(policy.defaultVersionId) already says this")
            }
            var prune: String?
            var reason = "the default version \(policy.defaultVersionId) differs from the plan; a new default version will be created"
            if versions.count >= IAMQuota.policyVersions {
                let candidates = versions.filter { !$0.isDefault }.sorted { ($0.createDate ?? "", $0.versionId) < ($1.createDate ?? "", $1.versionId) }
                prune = candidates.first?.versionId
                if let prune { reason += " (the oldest non-default version \(prune) is deleted to stay within IAM's limit of 5)" }
            }
            return PlannedAction(address: address, kind: .iamPolicy, change: .update, before: "version \(policy.defaultVersionId)",
                                 after: allows, reason: reason,
                                 operation: .updatePolicy(name: spec.name, arn: policy.arn, document: document, pruneVersionId: prune))
        }
    }

    func attachmentAction(_ policyName: String, _ principal: PrincipalRef, _ observation: Observation) -> PlannedAction {
        let address = "iam_attachment[\(policyName) → \(principal.kind.rawValue.lowercased())/\(principal.name)]"
        let arn = observation.policyArn(policyName)
        guard let known = observation.attachments[principal], let attached = known else {
            return PlannedAction(address: address, kind: .iamAttachment, change: .skip, before: nil, after: nil,
                                 reason: "\(principal) does not exist; eicsetup attaches policies but never creates users, groups or roles")
        }
        if attached.contains(where: { $0.policyArn == arn }) {
            return PlannedAction(address: address, kind: .iamAttachment, change: .noOp, before: "attached", after: nil,
                                 reason: "\(policyName) is already attached to \(principal)")
        }
        if attached.count >= IAMQuota.attachedPolicies {
            return PlannedAction(address: address, kind: .iamAttachment, change: .skip, before: nil, after: nil,
                                 reason: "\(principal) already has \(attached.count) managed policies, IAM's limit; detach one yourself or attach to a group")
        }
        return PlannedAction(address: address, kind: .iamAttachment, change: .create, before: nil, after: "attached",
                             reason: "\(policyName) is not attached to \(principal)",
                             operation: .attachPolicy(policyArn: arn, principal: principal))
    }
}

/// Why no policy document can be written.
public enum PolicyProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case noInstances
    case tooLarge(Int)
    case template(String)

    public var description: String {
        switch self {
        case .noInstances: return "the plan selects no instances, so a policy by instance ARN would allow nothing"
        case .tooLarge(let size):
            return "the policy by instance ARN would be \(size) characters, over IAM's \(Planner.IAMQuota.managedPolicyCharacters); select by tag instead (\"instances\": {\"tags\": {...}})"
        case .template(let reason): return reason
        }
    }
}
