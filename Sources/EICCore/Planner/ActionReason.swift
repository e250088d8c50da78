/// Why the planner chose an action: one case per situation, carrying the facts that decided it.
/// Like Terraform's `ResourceInstanceChangeActionReason`, it is for people only — the executor works
/// from `Operation` and never reads it — so the sentences live in the views (`Views/ReasonText.swift`)
/// and the core stays data.
public enum ActionReason: Sendable, Equatable, Codable {
    // MARK: IAM policies (`parts` > 1 when the policy by instance ARN had to be split)

    /// No policy of this name in the account yet.
    case policyAbsent(name: String, account: String, parts: Int)
    /// The default version already says what the plan says.
    case policyCurrent(version: String, parts: Int)
    /// A policy of this name exists without eicsetup's owner tag (`ManagedPolicy.ownerTag`) and says
    /// something else: left alone.
    case policyForeign(name: String)
    /// The default version differs; a new default version is created, `prune` deleted first at IAM's limit.
    case policyDiffers(version: String, prune: String?, parts: Int)
    /// No document can be written for the policy.
    case policyUnwritable(PolicyProblem)

    // MARK: IAM attachments

    /// The user, group or role does not exist (eicsetup never creates one).
    case principalMissing(PrincipalRef)
    case policyAttached(policy: String, principal: PrincipalRef)
    case policyNotAttached(policy: String, principal: PrincipalRef)
    /// Attaching would pass IAM's managed-policies-per-principal quota.
    case attachmentQuota(principal: PrincipalRef, attached: Int, limit: Int)
    /// The policy is another team's (its own action is a conflict), so it is not attached.
    case foreignPolicyNotAttached(policy: String)

    // MARK: Security group rules

    case groupMissing(groupId: String)
    /// An existing inbound rule already covers the permission.
    case ruleCovered(ruleId: String)
    case ruleMissing(IngressPermission)
    /// The rule's source could not be turned into permissions.
    case sourceUnresolved(RuleSourceProblem)
    /// The group's existing plus new rules of one family would pass EC2's per-group quota.
    case ruleQuota(groupId: String, family: Planner.RuleFamily, existing: Int, added: Int, limit: Int, region: String)

    // MARK: Instances

    /// Not contacted (stopped, no address…).
    case notContacted(NotProbedReason)
    /// Under `"transport": "ssm"`, Run Command cannot reach it: its agent is in this state (nil: none registered).
    case agentUnavailable(AgentState?)
    /// Logged in, but the read-only probe failed with this error.
    case probeFailed(error: String)
    /// The connector could not open the host. `target` is where it tried (`user@address:port`), nil
    /// when the instance had no target; `transport` how.
    case unreachable(transport: HostTransport, target: String?, kind: HostConnectError.Kind, message: String)
    /// sshd runs someone else's AuthorizedKeysCommand, which eicsetup never overwrites.
    case foreignCommand(ForeignCommand)
    /// EIC is configured with a new-enough package: verify only.
    case configured(Distribution)
    /// eicsetup does not install on this distribution.
    case unsupportedDistribution(Distribution)
    /// The login user cannot become root unattended (`privilege` is `.sudoNeedsPassword` or `.none`);
    /// `user` is the login user when known.
    case cannotBecomeRoot(Privilege, user: String?)
    /// Installed, but older than the minimum; `fix` says what the minimum brings (nil: the plan raised it).
    case packageTooOld(installed: String, minimum: String, fix: String?, distribution: Distribution)
    case packageMissing(Distribution)
    /// Installed and new enough, but sshd does not run EIC's command (the package did not configure it).
    case packageNotConfiguring(installed: String)
}

/// Why an ingress rule's source resolves to no permissions.
public enum RuleSourceProblem: Sendable, Equatable, Codable {
    /// The rule is "from my address", and the address was not found.
    case operatorAddressUnknown
    case ipRangesNotRead
    case prefixListMissing(name: String, region: String)
}

/// Where a foreign AuthorizedKeysCommand is set: the first setting sshd reads that is neither EIC's
/// nor `none` (`file`/`line` nil when only the effective command is known).
public struct ForeignCommand: Sendable, Equatable, Codable {
    /// The file that sets it, e.g. "/etc/ssh/sshd_config.d/50-ldap.conf".
    public var file: String?
    /// 1-based line in `file`.
    public var line: Int?
    /// The command as written (or as sshd runs it, when no file is known).
    public var command: String?

    public init(file: String?, line: Int?, command: String?) {
        self.file = file
        self.line = line
        self.command = command
    }
}

/// What a target is now, or will be after apply — typed, rendered by the views.
public enum ActionState: Sendable, Equatable, Codable {
    /// An inbound rule (its description shown when it has one).
    case ingress(IngressPermission)
    /// A policy that lets these OS users receive keys (SendSSHPublicKey).
    case policyAllows(osUsers: [String])
    /// A policy's default version.
    case policyVersion(String)
    case attached
    case host(HostState)
    /// After a first install by `step`, sshd runs EIC's command.
    case packageInstalled(HostStep)
    /// After an upgrade by `step`, the package is at least `minimum`.
    case packageAtLeast(minimum: String, HostStep)
}

/// A host as the probe found it.
public struct HostState: Sendable, Equatable, Codable {
    public var distribution: Distribution
    public var packageInstalled: Bool
    /// The installed version; nil when not installed or not reported.
    public var packageVersion: String?
    /// The AuthorizedKeysCommand sshd effectively runs, if any.
    public var authorizedKeysCommand: String?

    public init(distribution: Distribution, packageInstalled: Bool, packageVersion: String?, authorizedKeysCommand: String?) {
        self.distribution = distribution
        self.packageInstalled = packageInstalled
        self.packageVersion = packageVersion
        self.authorizedKeysCommand = authorizedKeysCommand
    }

    /// The state the probe's facts describe.
    public init(_ facts: HostFacts) {
        self.init(distribution: facts.distribution, packageInstalled: facts.package.installed, packageVersion: facts.package.version,
                  authorizedKeysCommand: facts.effective.command)
    }
}
