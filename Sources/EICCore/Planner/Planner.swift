/// The planner: a pure function of the plan file and the observation to ordered actions (design §5,
/// step 3) — IAM and security groups first (independent of each other), then the instances.
/// Like the SigV4 signer, it has no I/O and no clock: the same inputs always give the same plan.
public struct Planner: Sendable {
    public var templates: PolicyTemplates

    public init(templates: PolicyTemplates) {
        self.templates = templates
    }

    /// Every action, in execution order, and the rules left alone.
    public func plan(_ plan: PlanFile, _ observation: Observation) -> PlanResult {
        var actions: [PlannedAction] = []
        if let iam = plan.iam {
            // Each policy's documents are built once, for its actions and for the names its attachments use.
            let built = iam.policies.map { ($0, documents(for: $0, observation)) }
            actions += built.flatMap { policyActions($0.0, $0.1, observation) }
            for attachment in iam.attachments {
                let names = built.first { $0.0.name == attachment.policy }.map { Self.policyNames($0.0, $0.1) } ?? [attachment.policy]
                for principal in attachment.principals {
                    let missing = names.filter { name in
                        !(observation.attachments[principal].flatMap { $0 } ?? []).contains { $0.policyArn == observation.policyArn(name) }
                    }
                    // Parts not yet attached count against the principal's quota together.
                    actions += names.map { name in
                        // Attaching another team's policy would grant what it says, not what the plan says.
                        if actions.contains(where: { $0.target == .iamPolicy(name: name) && $0.change == .conflict }) {
                            return PlannedAction(.iamAttachment(policy: name, principal: principal),
                                                 kind: .iamAttachment, change: .skip, reason: .foreignPolicyNotAttached(policy: name))
                        }
                        return attachmentAction(name, principal, observation, pendingBefore: missing.firstIndex(of: name) ?? 0)
                    }
                }
            }
        }
        let (ruleActions, unmanaged) = securityGroupActions(plan, observation)
        actions += ruleActions
        if let section = plan.instances {
            actions += observation.instances.map { instanceAction($0, section) }
        }
        var result = PlanResult(actions: actions, unmanagedRules: unmanaged)
        // A rule the plan adds to a group opens the port on every member of the group, selected or not.
        for group in observation.groupIds {
            let others = observation.groupMembersOutsideSelection[group] ?? []
            let adds = actions.contains { $0.kind == .securityGroupRule && $0.change.isChange && $0.target.groupId == group }
            if adds, !others.isEmpty { result.exposedOutsideSelection[group] = others }
        }
        return result
    }
}

/// The planner's answer.
public struct PlanResult: Sendable, Equatable {
    public var actions: [PlannedAction]
    /// groupId → inbound rules that exist but are not in the plan (listed, never removed).
    public var unmanagedRules: [String: [SecurityGroupRule]]
    /// groupId → instances outside the selection that a rule the plan adds to the group also exposes.
    public var exposedOutsideSelection: [String: [String]] = [:]

    public init(actions: [PlannedAction], unmanagedRules: [String: [SecurityGroupRule]]) {
        self.actions = actions
        self.unmanagedRules = unmanagedRules
    }

    public var summary: PlanSummary { PlanSummary(actions) }
}

// MARK: - Security groups

extension Planner {
    func securityGroupActions(_ plan: PlanFile, _ observation: Observation) -> ([PlannedAction], [String: [SecurityGroupRule]]) {
        var actions: [PlannedAction] = []
        var wanted: [String: [IngressPermission]] = [:]
        for entry in plan.securityGroups {
            let groups: [String]
            switch entry.target {
            case .groupId(let id): groups = [id]
            case .groupsOfSelectedInstances:
                var seen = Set<String>()
                groups = observation.instances.flatMap(\.cloud.securityGroupIds).filter { seen.insert($0).inserted }
            }
            for rule in entry.ingress {
                let (permissions, problem) = Self.permissions(for: rule, observation)
                for group in groups {
                    if let problem {
                        actions.append(PlannedAction(.securityGroupRule(groupId: group, rule: "tcp/\(rule.port)"), kind: .securityGroupRule,
                                                     change: .skip, reason: .sourceUnresolved(problem)))
                        continue
                    }
                    for permission in permissions where !(wanted[group] ?? []).contains(permission) {
                        wanted[group, default: []].append(permission)
                        actions.append(ruleAction(group: group, permission: permission, observation))
                    }
                }
            }
        }
        var unmanaged: [String: [SecurityGroupRule]] = [:]
        for group in observation.groupIds {
            let extra = (observation.groupRules[group] ?? []).filter { rule in
                !rule.isEgress && !(wanted[group] ?? []).contains { rule.covers($0) }
            }
            if !extra.isEmpty { unmanaged[group] = extra }
        }
        return (withinRuleQuota(actions, observation), unmanaged)
    }

    func ruleAction(group: String, permission: IngressPermission, _ observation: Observation) -> PlannedAction {
        let text = Self.describe(permission)
        let address = ResourceAddress.securityGroupRule(groupId: group, rule: text)
        guard let rules = observation.groupRules[group] else {
            return PlannedAction(address, kind: .securityGroupRule, change: .skip, reason: .groupMissing(groupId: group))
        }
        if let existing = rules.first(where: { !$0.isEgress && $0.covers(permission) }) {
            // Now: the permission is there (under the existing rule's own description, if any).
            let covered = IngressPermission(ipProtocol: permission.ipProtocol, fromPort: permission.fromPort, toPort: permission.toPort,
                                            source: permission.source)
            return PlannedAction(address, kind: .securityGroupRule, change: .noOp, before: .ingress(covered),
                                 reason: .ruleCovered(ruleId: existing.ruleId))
        }
        return PlannedAction(address, kind: .securityGroupRule, change: .create, after: .ingress(permission),
                             reason: .ruleMissing(permission),
                             operation: .authorizeIngress(groupId: group, permission: permission))
    }

    /// The permissions a rule stands for, or why it cannot be resolved.
    static func permissions(for rule: IngressRule, _ observation: Observation) -> ([IngressPermission], RuleSourceProblem?) {
        func make(_ source: IngressPermission.Source, _ fallback: String) -> IngressPermission {
            IngressPermission(fromPort: rule.port, toPort: rule.port, source: source, description: rule.description ?? fallback)
        }
        func cidr(_ text: String, _ fallback: String) -> IngressPermission {
            make(text.contains(":") ? .cidrIpv6(text) : .cidrIpv4(text), fallback)
        }
        switch rule.source {
        case .cidr(let text): return ([cidr(text, "eicsetup")], nil)
        case .operatorAddress:
            guard let address = observation.operatorCIDR else { return ([], .operatorAddressUnknown) }
            return ([cidr(address, "operator")], nil)
        case .ipRanges(let service, _):
            guard let ranges = observation.ipRanges else { return ([], .ipRangesNotRead) }
            let label = "\(service) ranges (syncToken \(ranges.syncToken))"
            return ((ranges.ipv4 + ranges.ipv6).map { cidr($0, label) }, nil)
        case .prefixList(let name):
            if name.hasPrefix("pl-") { return ([make(.prefixList(name), "EC2 Instance Connect")], nil) }
            guard let id = observation.prefixLists[name] else {
                return ([], .prefixListMissing(name: name, region: observation.region))
            }
            return ([make(.prefixList(id), "EC2 Instance Connect")], nil)
        }
    }

    /// "tcp/22 from 203.0.113.7/32": the rule part of a rule's address (the views reuse it).
    public static func describe(_ permission: IngressPermission) -> String {
        let source: String
        switch permission.source {
        case .cidrIpv4(let cidr), .cidrIpv6(let cidr): source = cidr
        case .prefixList(let id): source = "prefix list \(id)"
        }
        let ports = permission.fromPort == permission.toPort ? "\(permission.fromPort)" : "\(permission.fromPort)-\(permission.toPort)"
        return "tcp/\(ports) from \(source)"
    }
}
