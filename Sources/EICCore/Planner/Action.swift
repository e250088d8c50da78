/// One thing `apply` would do (or cannot do) to one target — data only; views render it, the executor
/// carries out its `operation` (Terraform's plan/view split).
public struct PlannedAction: Sendable, Equatable, Codable {
    /// What the action is about; `address` is its rendering, e.g. `instance[i-0abc]` or
    /// `security_group[sg-0abc].ingress[tcp/22 from 127.0.0.1/32]`.
    public var target: ResourceAddress
    public var kind: ActionKind
    public var change: Change
    /// What the target is now (nil when it does not exist, or nothing needs saying).
    public var before: ActionState?
    /// What it will be after apply (nil when nothing changes).
    public var after: ActionState?
    /// Why this action, as facts; the views word it.
    public var reason: ActionReason
    /// What the executor does.
    public var operation: Operation

    public init(_ target: ResourceAddress, kind: ActionKind, change: Change, before: ActionState? = nil, after: ActionState? = nil,
                reason: ActionReason, operation: Operation = .none) {
        self.target = target
        self.kind = kind
        self.change = change
        self.before = before
        self.after = after
        self.reason = reason
        self.operation = operation
    }

    /// The address as people and JSON documents see it.
    public var address: String { target.description }
}

public enum ActionKind: String, Sendable, Codable, CaseIterable {
    case securityGroupRule = "security_group_rule"
    case iamPolicy = "iam_policy"
    case iamAttachment = "iam_attachment"
    case instance
}

/// Terraform's symbols, plus the states a host can be in that apply cannot fix.
public enum Change: String, Sendable, Codable, CaseIterable {
    case create
    case update
    case noOp = "no-op"
    /// A foreign AuthorizedKeysCommand: reported, never overwritten.
    case conflict
    /// Could not be reached (connection, host key, login).
    case unreachable
    /// Reachable but cannot be onboarded as it is (sudo wants a password, unsupported OS, stopped…).
    case skip

    /// The one-character mark of the text view.
    public var symbol: String {
        switch self {
        case .create: return "+"
        case .update: return "~"
        case .noOp: return "="
        case .conflict: return "!"
        case .unreachable, .skip: return "×"
        }
    }

    /// True for the changes apply makes.
    public var isChange: Bool { self == .create || self == .update }
}

/// The work behind an action, typed so the executor never parses strings.
public enum Operation: Sendable, Equatable, Codable {
    case none
    case authorizeIngress(groupId: String, permission: IngressPermission)
    /// `arn`: where it will be (the observed account and partition), for converging when it appears meanwhile.
    case createPolicy(name: String, arn: String, document: String, description: String?)
    /// A new default version; `pruneVersionId` is deleted first when the policy already has five.
    case updatePolicy(name: String, arn: String, document: String, pruneVersionId: String?)
    case attachPolicy(policyArn: String, principal: PrincipalRef)
    /// Install or upgrade on one host; `useSudo` when the login user is not root.
    case onboardHost(instanceId: String, steps: [HostStep], useSudo: Bool, minimumVersion: String)
}

/// What to do on one host, in order; each step is a fixed command (see `HostCommands`).
public enum HostStep: Sendable, Equatable, Codable {
    /// Install the package with the distribution's manager.
    case install(PackageManager)
    /// Upgrade an installed package that is older than the plan's minimum.
    case upgrade(PackageManager)
    /// Install, or upgrade to, the RPM AWS publishes by URL together with ec2-instance-connect-selinux
    /// (RHEL-family hosts, whose repositories do not carry the package).
    case installPublished(PackageManager, PublishedRPM)
}

/// Counts for the summary line.
public struct PlanSummary: Sendable, Equatable, Codable {
    public var add = 0
    public var change = 0
    public var destroy = 0
    public var noOp = 0
    public var conflict = 0
    public var unreachable = 0
    public var skip = 0

    public init(_ actions: [PlannedAction]) {
        for action in actions {
            // Pruning a policy version to stay within IAM's 5 deletes something: it is counted, not hidden.
            if case .updatePolicy(_, _, _, let prune?) = action.operation, !prune.isEmpty { destroy += 1 }
            switch action.change {
            case .create: add += 1
            case .update: change += 1
            case .noOp: noOp += 1
            case .conflict: conflict += 1
            case .unreachable: unreachable += 1
            case .skip: skip += 1
            }
        }
    }

    /// True when apply would change something.
    public var hasChanges: Bool { add + change > 0 }
    /// True when some target cannot be onboarded as it is.
    public var needsAttention: Bool { conflict + unreachable + skip > 0 }
}
