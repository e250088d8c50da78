import EICCore

/// The words for the plan's typed data: why an action (`ActionReason`), what a target is and will be
/// (`ActionState`), what apply did (`OutcomeDetail`). The core decides; this is the one place that says
/// it in English, for the text and the JSON views alike (Terraform keeps its reasons' wording in
/// `command/views` the same way).
enum ReasonText {
    /// Why this action, in one sentence.
    static func text(_ reason: ActionReason) -> String {
        switch reason {
        case .policyAbsent(let name, let account, let parts): return "no policy named \(name) in account \(account)" + split(parts)
        case .policyCurrent(let version, let parts): return "version \(version) already says this" + split(parts)
        case .policyForeign(let name):
            return "a policy named \(name) exists that eicsetup did not create (no \(ManagedPolicy.ownerTag.key)="
                + "\(ManagedPolicy.ownerTag.value) tag) and says something else; eicsetup leaves it alone. Rename the "
                + "plan's policy, or set \"adopt\": true on it to take it over (a new default version; the oldest may be deleted)"
        case .policyDiffers(let version, let prune, let parts):
            return "the default version \(version) differs from the plan; a new default version will be created"
                + (prune.map { " (the oldest non-default version \($0) is deleted to stay within IAM's limit of 5)" } ?? "") + split(parts)
        case .policyUnwritable(let problem): return text(problem)
        case .principalMissing(let principal):
            return "\(principal) does not exist; eicsetup attaches policies but never creates users, groups or roles"
        case .policyAttached(let policy, let principal): return "\(policy) is already attached to \(principal)"
        case .policyNotAttached(let policy, let principal): return "\(policy) is not attached to \(principal)"
        case .attachmentQuota(let principal, let attached, let limit):
            return "\(principal) would have more than \(limit) managed policies (IAM's limit; it has \(attached)); detach one yourself, "
                + "attach to a group, or select by tag so one policy suffices"
        case .foreignPolicyNotAttached(let policy): return "\(policy) is another team's policy (see above); it is not attached"
        case .groupMissing(let group): return "security group \(group) was not found; check the id and the region"
        case .ruleCovered(let ruleId): return "rule \(ruleId) already allows it"
        case .ruleMissing(let permission): return "inbound \(Planner.describe(permission)) is not allowed yet"
        case .sourceUnresolved(.operatorAddressUnknown): return "your public address is unknown"
        case .sourceUnresolved(.ipRangesNotRead): return "ip-ranges.json was not read"
        case .sourceUnresolved(.prefixListMissing(let name, let region)): return "no managed prefix list named \(name) in \(region)"
        case .ruleQuota(let group, let family, let existing, let added, let limit, let region):
            return "security group \(group) would have \(existing + added) inbound \(family.rawValue) rules "
                + "(it has \(existing), the plan adds \(added)), over AWS's quota of \(limit) per group; "
                + "none of them is added. Use the prefix list com.amazonaws.\(region).ec2-instance-connect (one rule), "
                + "or raise the quota first"
        case .notContacted(.notRunning(let state)): return "not contacted: the instance is \(state), not running"
        // "no a public IP" is how the core said it before this became data: kept word for word (goldens, scripts).
        case .notContacted(.noAddress(let publicIP)): return "not contacted: it has no \(publicIP ? "a public IP" : "an IP address")"
        case .notContacted(.noFleetKey): return "not contacted: not probed (no fleet key)"
        case .agentUnavailable(.none):
            return "SSM Run Command cannot reach it: no SSM agent is registered for it (no instance profile with "
                + "AmazonSSMManagedInstanceCore, the agent is not installed, or it cannot reach the SSM endpoints)"
        case .agentUnavailable(.connectionLost):
            return "SSM Run Command cannot reach it: its SSM agent is registered but has lost its connection (PingStatus ConnectionLost): "
                + "the instance may be stopped or cannot reach the ssm, ssmmessages and ec2messages endpoints"
        case .agentUnavailable(let state?): return "SSM Run Command cannot reach it: its SSM agent is registered but \(state.rawValue) (PingStatus \(state.rawValue))"
        case .probeFailed(let error): return "logged in, but the read-only probe failed: \(error)"
        case .unreachable(let transport, let target, let kind, let message): return unreachable(transport, target, kind, message)
        case .foreignCommand(let foreign): return text(foreign)
        case .configured(let distribution): return "EC2 Instance Connect is configured (\(distribution)); verify only"
        case .unsupportedDistribution(let distribution):
            return "\(distribution) is not supported for installing ec2-instance-connect (Amazon Linux 2/2023, Ubuntu 16.04+ and RHEL-family 8/9 are)"
        case .cannotBecomeRoot(let privilege, let user):
            let user = user ?? "the login user"
            if privilege == .sudoNeedsPassword {
                return "sudo asks \(user) for a password, so the package cannot be installed unattended (allow NOPASSWD sudo, or log in as root)"
            }
            return "\(user) is not root and sudo is not installed, so the package cannot be installed"
        case .packageTooOld(let installed, let minimum, let fix, let distribution):
            return "ec2-instance-connect \(installed) is older than \(minimum)" + (fix.map { " (\($0))" } ?? " (the plan's minimum for \(distribution))")
        case .packageMissing(let distribution): return "\(distribution) has no ec2-instance-connect package"
        case .packageNotConfiguring(let installed):
            return "ec2-instance-connect \(installed) is installed but sshd does not use its AuthorizedKeysCommand; check the package's post-install log"
        }
    }

    /// Where the foreign AuthorizedKeysCommand is and why eicsetup stops there (plan reason and verify finding).
    static func text(_ foreign: ForeignCommand) -> String {
        let place = foreign.file.map { " in \($0):\(foreign.line.map(String.init) ?? "?") (\(foreign.command ?? "?"))" }
            ?? " (\(foreign.command ?? "?"))"
        return "sshd already runs a foreign AuthorizedKeysCommand\(place); EIC cannot be used here and eicsetup never overwrites it"
    }

    /// Why an instance failed verification, in one line.
    static func text(_ finding: VerifyFinding) -> String {
        switch finding {
        case .notRunning(let state): return "the instance is \(state)"
        case .noAddress: return "the instance has no address to connect to"
        case .accessDenied(let user, let seconds, let message):
            return "SendSSHPublicKey was refused for \(user) on this instance (AccessDenied, retried \(seconds) s for IAM propagation): \(message)"
        case .hostKeyChanged(let message): return "the host key differs from known_hosts: \(message)"
        case .hostKeyUnknown(let message): return "the host key is not in known_hosts (strict): \(message)"
        case .keyRefusedUnprobed(let message):
            return "sshd refused the pushed key and the host could not be probed over the fleet key (\(message))"
        case .foreignCommand(let foreign): return "EIC is not configured: " + text(foreign)
        case .packageMissing(let sudoNeedsPassword):
            return "EIC is not configured: ec2-instance-connect is not installed"
                + (sudoNeedsPassword ? " (sudo needs a password there, so apply could not install it)" : "")
        case .noAuthorizedKeysCommand: return "EIC is not configured: ec2-instance-connect is installed but sshd has no AuthorizedKeysCommand"
        case .keyExpired(let seconds): return "the pushed key expired before the login finished (\(seconds) s; keys live 60 s)"
        case .sshdNotRestarted(let message):
            return "sshd's configuration names EIC's command but the running sshd refused the key: sshd was probably not restarted after the install (\(message))"
        case .securityGroupClosed(let groups, let port, let source, let message):
            return "no security group of the instance (\(groups.joined(separator: ", "))) allows tcp/\(port) from \(source); \(message)"
        case .noAnswer(let port, let message): return "the host does not answer on tcp/\(port): \(message)"
        case .other(let message): return message
        }
    }

    /// " (one of N parts: …)" when a policy by instance ARN had to be split.
    private static func split(_ parts: Int) -> String {
        parts > 1 ? " (one of \(parts) parts: by instance ARN the policy would pass IAM's 6,144-character quota)" : ""
    }

    static func text(_ problem: PolicyProblem) -> String {
        switch problem {
        case .noInstances: return "the plan selects no instances, so a policy by instance ARN would allow nothing"
        case .tooLarge(let size):
            return "the policy by instance ARN would be \(size) characters, over IAM's \(Planner.IAMQuota.managedPolicyCharacters); "
                + "select by tag instead (\"instances\": {\"tags\": {...}})"
        case .template(let reason): return reason
        case .nameTooLong(let name): return "the part \(name) would pass IAM's 128-character policy name limit; shorten the policy name or select by tag"
        }
    }

    private static func unreachable(_ transport: HostTransport, _ target: String?, _ kind: HostConnectError.Kind, _ message: String) -> String {
        if transport == .ssm { return "SSM Run Command cannot reach it: \(message)" }
        let at = target.map { " at \($0)" } ?? ""
        switch kind {
        case .hostKeyChanged:
            // The adapter's message carries OpenSSH's whole warning banner; the plan keeps the line that says where.
            let offending = message.split(separator: "\n").first { $0.contains("Offending") }.map { " (\(String($0).trimmingWhitespace()))" } ?? ""
            return "host key refused\(at): it differs from known_hosts\(offending) — possibly a man-in-the-middle; eicsetup never accepts a changed key"
        case .hostKeyUnknown:
            return "host key refused\(at): not in known_hosts and hostKeys is strict (add it, or use \"hostKeys\": \"accept-new\")"
        case .authentication: return "login refused\(at): \(message)"
        case .identity: return "the SSH key cannot be used: \(message)"
        case .unreachable, .timeout, .session: return "SSH unreachable\(at): \(message)"
        }
    }

    /// What a target is, or will be.
    static func text(_ state: ActionState) -> String {
        switch state {
        case .ingress(let permission): return Planner.describe(permission) + (permission.description.map { " \"\($0)\"" } ?? "")
        case .policyAllows(let users): return "SendSSHPublicKey as \(users.joined(separator: ", "))"
        case .policyVersion(let version): return "version \(version)"
        case .attached: return "attached"
        case .host(let host):
            let package = host.packageInstalled ? "ec2-instance-connect \(host.packageVersion ?? "?")" : "no ec2-instance-connect"
            let command = host.authorizedKeysCommand.map { "AuthorizedKeysCommand \($0)" } ?? "no AuthorizedKeysCommand"
            return "\(host.distribution), \(package), \(command)"
        case .packageInstalled(let step):
            let how = published(step).map { "from \($0) with \(manager(step).rawValue)" } ?? "with \(manager(step).rawValue)"
            return "ec2-instance-connect installed \(how); EIC's AuthorizedKeysCommand"
        case .packageAtLeast(let minimum, let step):
            let how = published(step).map { "\($0) with \(manager(step).rawValue)" } ?? "\(manager(step).rawValue) upgrade"
            return "ec2-instance-connect ≥ \(minimum) (\(how))"
        }
    }

    private static func manager(_ step: HostStep) -> PackageManager {
        switch step {
        case .install(let manager), .upgrade(let manager), .installPublished(let manager, _): return manager
        }
    }

    private static func published(_ step: HostStep) -> PublishedRPM? {
        if case .installPublished(_, let rpm) = step { return rpm }
        return nil
    }

    /// What apply did with one action, or why it could not.
    static func text(_ detail: OutcomeDetail) -> String {
        switch detail {
        case .planned(let reason): return text(reason)
        case .notRun: return "not run"
        case .interrupted: return "not started: interrupted"
        case .error(let error): return error
        case .ruleAdded(let group, let permission): return "allowed \(Planner.describe(permission)) in \(group)"
        case .ruleAlreadyThere(let group, let permission): return "\(group) already allows \(Planner.describe(permission))"
        case .policyCreated(let arn): return "created policy \(arn)"
        case .policyVersioned(let name, let version, let pruned):
            return "policy \(name) now defaults to version \(version)" + (pruned.map { " (deleted its oldest version \($0), IAM keeps 5)" } ?? "")
        case .policyAlreadySays(let name): return "policy \(name) already says this"
        case .policyVanished(let name): return "policy \(name) vanished while applying"
        case .policyAppearedForeign(let name):
            return "a policy named \(name) appeared while applying, without the \(ManagedPolicy.ownerTag.key)="
                + "\(ManagedPolicy.ownerTag.value) tag: another team's; eicsetup leaves it alone (plan again to see it)"
        case .policyAttached(let arn, let principal):
            return "attached \(arn.split(separator: "/").last.map(String.init) ?? arn) to \(principal)"
        case .sessionNotOpened(let id, let error): return "could not open an SSH session to \(id) again: \(error)"
        case .sessionLost(let id, let error): return "the SSH session to \(id) was lost and could not be opened again: \(error)"
        case .commandDidNotFinish(let step, let error): return "\(HostCommands.tool(step)) did not finish: \(error)"
        case .commandFailed(let step, let status, let signal, let output):
            return "\(HostCommands.tool(step)) exited \(status.map(String.init) ?? "by signal \(signal ?? "?")"): \(output.joined(separator: " / "))"
        case .reprobeFailed(let error): return "the package step ran, but the re-probe failed: \(error)"
        case .stillNotEIC(let command):
            return "after the package step sshd still does not run EIC's AuthorizedKeysCommand (now: \(command ?? "none"))"
        case .stillTooOld(let installed, let minimum):
            return "ec2-instance-connect is \(installed ?? "not installed") after the package step, still older than \(minimum)"
        case .onboarded(let upgraded, let version):
            return "\(upgraded ? "upgraded" : "installed") ec2-instance-connect \(version); sshd runs EIC's AuthorizedKeysCommand"
        }
    }
}
