/// The result of one action.
public struct ActionOutcome: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Already as planned (or converged on its own, e.g. a duplicate rule).
        case ok
        case changed
        case conflict
        case unreachable
        case skipped
        case failed
        /// Not started because of Ctrl-C.
        case cancelled
    }

    public var target: ResourceAddress
    public var kind: ActionKind
    public var change: Change
    public var status: Status
    /// What was done, or why it failed, as facts; the views word it.
    public var detail: OutcomeDetail
    public var seconds: Double

    public init(_ action: PlannedAction, _ status: Status, _ detail: OutcomeDetail, seconds: Double) {
        target = action.target
        kind = action.kind
        change = action.change
        self.status = status
        self.detail = detail
        self.seconds = seconds
    }

    /// The target's address as people and JSON documents see it.
    public var address: String { target.description }
}

/// What the executor did with one action, or why it could not: one case per situation, with its facts
/// (the views word it, as they word `ActionReason`). Errors are kept as their own descriptions, which
/// each module's error type already makes actionable and free of secrets.
public enum OutcomeDetail: Sendable, Equatable {
    /// Nothing to do, or nothing apply can do: the plan's reason.
    case planned(ActionReason)
    /// Not run at all (the executor never reached it).
    case notRun
    /// Not started because of Ctrl-C.
    case interrupted
    /// An error from the cloud or a host, as it describes itself.
    case error(String)

    // MARK: Security group rules

    case ruleAdded(groupId: String, IngressPermission)
    /// EC2 answered that the rule is there already (added meanwhile).
    case ruleAlreadyThere(groupId: String, IngressPermission)

    // MARK: IAM

    case policyCreated(arn: String)
    /// A new default version; `pruned` was deleted first to stay within IAM's limit of 5.
    case policyVersioned(name: String, version: String, pruned: String?)
    /// The default version already says the plan's document (converged meanwhile).
    case policyAlreadySays(name: String)
    case policyVanished(name: String)
    /// A policy of this name appeared while applying, without eicsetup's owner tag: left alone.
    case policyAppearedForeign(name: String)
    case policyAttached(arn: String, principal: PrincipalRef)

    // MARK: Hosts

    /// The host's session could not be opened again for apply.
    case sessionNotOpened(instanceId: String, error: String)
    /// The kept session died while idle and a new one could not be opened.
    case sessionLost(instanceId: String, error: String)
    /// A command of `step` did not run to its end (the connection or the transport failed).
    case commandDidNotFinish(HostStep, error: String)
    /// A command of `step` exited non-zero (`status`) or by `signal`; `output` is its last lines.
    case commandFailed(HostStep, status: Int32?, signal: String?, output: [String])
    case reprobeFailed(error: String)
    /// After the package step sshd still runs another command (or none).
    case stillNotEIC(command: String?)
    /// After the package step the package is still older than the minimum (`installed` nil: absent).
    case stillTooOld(installed: String?, minimum: String)
    /// Installed (or upgraded) to `version`; sshd runs EIC's command.
    case onboarded(upgraded: Bool, version: String)
}
