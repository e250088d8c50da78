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

    /// The managed policies the plan wants for `spec`: one document, or — when a policy by instance
    /// ARN would pass IAM's 6,144-character quota — several, named NAME, NAME-2, NAME-3…, each within
    /// the quota and all attached wherever the plan attaches NAME.
    public func documents(for spec: PolicySpec, _ observation: Observation) -> Result<[(name: String, document: String)], PolicyProblem> {
        let osUsers = JSONValue.array(spec.osUsers.map { .string($0) })
        let drop: Set<String> = spec.describeInstances ? [] : ["DescribeInstances"]
        var bindings: [String: JSONValue] = ["osUsers": osUsers, "partition": .string(observation.partition),
                                             "region": .string(observation.region), "account": .string(observation.caller.account)]
        func fill(_ template: String) -> Result<String, PolicyProblem> {
            do {
                return .success(try PolicyDocument.fill(template, bindings: bindings, dropStatements: drop))
            } catch {
                return .failure(.template(error.description))
            }
        }
        func size(_ document: String) -> Int { document.filter { !$0.isWhitespace }.count }
        switch spec.instances {
        case .tags(let tags):
            bindings["resourceTagConditions"] = .object(tags.sorted { $0.key < $1.key }.map { ("aws:ResourceTag/\($0.key)", .string($0.value)) })
            return fill(templates.byTag).flatMap { document in
                size(document) <= IAMQuota.managedPolicyCharacters ? .success([(spec.name, document)]) : .failure(.tooLarge(size(document)))
            }
        case .selected, .ids:
            let ids: [String]
            if case .ids(let given) = spec.instances { ids = given } else { ids = observation.instances.map(\.cloud.instanceId) }
            guard !ids.isEmpty else { return .failure(.noInstances) }
            let arns = Array(Set(ids)).sorted().map {
                "arn:\(observation.partition):ec2:\(observation.region):\(observation.caller.account):instance/\($0)"
            }
            // The document without ARNs, plus each ARN's share (quotes and a comma), decides the split.
            bindings["instanceArns"] = .array([])
            guard case .success(let empty) = fill(templates.byInstanceArn) else { return fill(templates.byInstanceArn).map { _ in [] } }
            let budget = IAMQuota.managedPolicyCharacters - size(empty)
            var chunks: [[String]] = [[]]
            var used = 0
            for arn in arns {
                let cost = arn.count + 3
                if used + cost > budget, !(chunks.last ?? []).isEmpty {
                    chunks.append([])
                    used = 0
                }
                chunks[chunks.count - 1].append(arn)
                used += cost
            }
            var documents: [(name: String, document: String)] = []
            for (index, chunk) in chunks.enumerated() {
                bindings["instanceArns"] = .array(chunk.map { .string($0) })
                switch fill(templates.byInstanceArn) {
                case .success(let document):
                    guard size(document) <= IAMQuota.managedPolicyCharacters else { return .failure(.tooLarge(size(document))) }
                    let name = PolicySpec.partName(spec.name, index)
                    guard name.count <= 128 else { return .failure(.nameTooLong(name)) }
                    documents.append((name, document))
                case .failure(let problem): return .failure(problem)
                }
            }
            return .success(documents)
        }
    }

    /// The names of the managed policies behind `spec` (one unless it had to be split), from its documents.
    static func policyNames(_ spec: PolicySpec, _ documents: Result<[(name: String, document: String)], PolicyProblem>) -> [String] {
        (try? documents.get().map(\.name)) ?? [spec.name]
    }

    func policyActions(_ spec: PolicySpec, _ documents: Result<[(name: String, document: String)], PolicyProblem>,
                       _ observation: Observation) -> [PlannedAction] {
        switch documents {
        case .failure(let problem):
            return [PlannedAction(.iamPolicy(name: spec.name), kind: .iamPolicy, change: .skip, reason: .policyUnwritable(problem))]
        case .success(let documents):
            return documents.map { policyAction(spec, name: $0.name, document: $0.document, parts: documents.count, observation) }
        }
    }

    func policyAction(_ spec: PolicySpec, name: String, document: String, parts: Int, _ observation: Observation) -> PlannedAction {
        let address = ResourceAddress.iamPolicy(name: name)
        let allows = ActionState.policyAllows(osUsers: spec.osUsers)
        switch observation.policies[name] ?? .absent {
        case .absent:
            return PlannedAction(address, kind: .iamPolicy, change: .create, after: allows,
                                 reason: .policyAbsent(name: name, account: observation.caller.account, parts: parts),
                                 operation: .createPolicy(name: name, arn: observation.policyArn(name), document: document, description: spec.description))
        case .present(let policy, let current, let versions):
            if let current, PolicyDocument.equivalent(current, document) {
                return PlannedAction(address, kind: .iamPolicy, change: .noOp, before: allows,
                                     reason: .policyCurrent(version: policy.defaultVersionId, parts: parts))
            }
            // Another team's policy of the same name is not rewritten, nor are its versions pruned.
            guard policy.isManagedByEICSetup || spec.adopt else {
                return PlannedAction(address, kind: .iamPolicy, change: .conflict, before: .policyVersion(policy.defaultVersionId),
                                     reason: .policyForeign(name: name))
            }
            let prune = PolicyVersion.pruneCandidate(versions, limit: IAMQuota.policyVersions)?.versionId
            return PlannedAction(address, kind: .iamPolicy, change: .update, before: .policyVersion(policy.defaultVersionId),
                                 after: allows, reason: .policyDiffers(version: policy.defaultVersionId, prune: prune, parts: parts),
                                 operation: .updatePolicy(name: name, arn: policy.arn, document: document, pruneVersionId: prune))
        }
    }

    func attachmentAction(_ policyName: String, _ principal: PrincipalRef, _ observation: Observation,
                          pendingBefore: Int = 0) -> PlannedAction {
        let address = ResourceAddress.iamAttachment(policy: policyName, principal: principal)
        let arn = observation.policyArn(policyName)
        guard let known = observation.attachments[principal], let attached = known else {
            return PlannedAction(address, kind: .iamAttachment, change: .skip, reason: .principalMissing(principal))
        }
        if attached.contains(where: { $0.policyArn == arn }) {
            return PlannedAction(address, kind: .iamAttachment, change: .noOp, before: .attached,
                                 reason: .policyAttached(policy: policyName, principal: principal))
        }
        if attached.count + pendingBefore >= IAMQuota.attachedPolicies {
            return PlannedAction(address, kind: .iamAttachment, change: .skip,
                                 reason: .attachmentQuota(principal: principal, attached: attached.count, limit: IAMQuota.attachedPolicies))
        }
        return PlannedAction(address, kind: .iamAttachment, change: .create, after: .attached,
                             reason: .policyNotAttached(policy: policyName, principal: principal),
                             operation: .attachPolicy(policyArn: arn, principal: principal))
    }
}

/// Why no policy document can be written (the views word it).
public enum PolicyProblem: Error, Sendable, Equatable, Codable {
    case noInstances
    /// The policy by instance ARN would have this many characters (whitespace not counted).
    case tooLarge(Int)
    /// The template cannot be filled (`PolicyDocument`'s explanation).
    case template(String)
    /// A split part's name would pass IAM's 128-character limit.
    case nameTooLong(String)
}
