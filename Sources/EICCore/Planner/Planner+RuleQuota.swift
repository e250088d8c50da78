/// EC2's inbound-rules-per-group quota, checked before apply so a plan is never carried out halfway
/// (AWS refuses the 61st rule with RulesPerSecurityGroupLimitExceeded, after the first 60 were added).
extension Planner {
    public enum EC2Quota {
        /// Inbound rules per security group (default quota), counted separately for IPv4 and IPv6
        /// (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups).
        public static let inboundRulesPerGroup = 60
    }

    /// The address families EC2 counts rules in separately.
    public enum RuleFamily: String, Sendable, Codable, CaseIterable {
        case ipv4 = "IPv4"
        case ipv6 = "IPv6"
    }

    /// The families a rule counts against. A prefix list or group reference is counted in both, once
    /// (AWS counts a prefix list by its maximum entries; one is the least it can be).
    static func families(ipv4: Bool, ipv6: Bool) -> [RuleFamily] {
        if ipv4 { return [.ipv4] }
        if ipv6 { return [.ipv6] }
        return RuleFamily.allCases
    }

    static func families(_ source: IngressPermission.Source) -> [RuleFamily] {
        switch source {
        case .cidrIpv4: return families(ipv4: true, ipv6: false)
        case .cidrIpv6: return families(ipv4: false, ipv6: true)
        case .prefixList: return families(ipv4: false, ipv6: false)
        }
    }

    /// `actions` with every rule a group cannot take turned into a skip: when a group's existing plus
    /// new rules of one family pass the quota, none of that family's new rules is added.
    func withinRuleQuota(_ actions: [PlannedAction], _ observation: Observation) -> [PlannedAction] {
        var adding: [String: [RuleFamily: Int]] = [:]
        for action in actions where action.change == .create {
            guard case .authorizeIngress(let group, let permission) = action.operation else { continue }
            for family in Self.families(permission.source) { adding[group, default: [:]][family, default: 0] += 1 }
        }
        var over: [String: [RuleFamily: (existing: Int, added: Int)]] = [:]
        for (group, counts) in adding {
            var existing: [RuleFamily: Int] = [:]
            for rule in observation.groupRules[group] ?? [] where !rule.isEgress {
                for family in Self.families(ipv4: rule.cidrIpv4 != nil, ipv6: rule.cidrIpv6 != nil) { existing[family, default: 0] += 1 }
            }
            for (family, added) in counts where (existing[family] ?? 0) + added > EC2Quota.inboundRulesPerGroup {
                over[group, default: [:]][family] = (existing[family] ?? 0, added)
            }
        }
        guard !over.isEmpty else { return actions }
        return actions.map { action in
            guard action.change == .create, case .authorizeIngress(let group, let permission) = action.operation,
                  let family = Self.families(permission.source).first(where: { over[group]?[$0] != nil }),
                  let counts = over[group]?[family] else { return action }
            let reason = ActionReason.ruleQuota(groupId: group, family: family, existing: counts.existing, added: counts.added,
                                                limit: EC2Quota.inboundRulesPerGroup, region: observation.region)
            return PlannedAction(action.target, kind: action.kind, change: .skip, reason: reason)
        }
    }
}
