/// What an action or a fingerprint is about, as data: the planner, the executor and the saved plan
/// compare these, never strings; `description` is the one rendering (Terraform's addresses), which
/// views print and JSON documents carry.
public enum ResourceAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    case instance(id: String)
    case iamPolicy(name: String)
    case iamAttachment(policy: String, principal: PrincipalRef)
    /// One inbound rule of a group; `rule` is its canonical text, e.g. "tcp/22 from 203.0.113.7/32", or
    /// "tcp/22" while its source could not be resolved.
    case securityGroupRule(groupId: String, rule: String)
    /// A whole group (what a plan observed of its rules).
    case securityGroup(id: String)
    /// The policies attached to a principal (observed).
    case iamPrincipal(PrincipalRef)

    public var description: String {
        switch self {
        case .instance(let id): return "instance[\(id)]"
        case .iamPolicy(let name): return "iam_policy[\(name)]"
        case .iamAttachment(let policy, let principal): return "iam_attachment[\(policy) → \(Self.render(principal))]"
        case .securityGroupRule(let group, let rule): return "security_group[\(group)].ingress[\(rule)]"
        case .securityGroup(let id): return "security_group[\(id)]"
        case .iamPrincipal(let principal): return "iam_principal[\(Self.render(principal))]"
        }
    }

    /// The group a rule or group address is about.
    public var groupId: String? {
        switch self {
        case .securityGroupRule(let group, _), .securityGroup(let group): return group
        default: return nil
        }
    }

    /// The instance an instance address is about.
    public var instanceId: String? {
        if case .instance(let id) = self { return id }
        return nil
    }

    static func render(_ principal: PrincipalRef) -> String { "\(principal.kind.rawValue.lowercased())/\(principal.name)" }
}
