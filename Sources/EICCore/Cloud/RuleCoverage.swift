extension SecurityGroupRule {
    /// True when this existing rule already lets `permission` in (same source; tcp on that port or all
    /// traffic). One rule for the planner (is the rule there?) and the verifier (why did a login fail?).
    public func covers(_ permission: IngressPermission) -> Bool {
        let sameSource: Bool
        switch permission.source {
        case .cidrIpv4(let cidr): sameSource = cidrIpv4.flatMap(CIDR.init)?.text == cidr
        case .cidrIpv6(let cidr): sameSource = cidrIpv6.flatMap(CIDR.init)?.text == cidr
        case .prefixList(let id): sameSource = prefixListId == id
        }
        guard sameSource else { return false }
        if ipProtocol == "-1" { return true }
        guard ipProtocol == "tcp" || ipProtocol == "6", let from = fromPort, let to = toPort else { return false }
        return from <= permission.fromPort && permission.toPort <= to
    }
}
