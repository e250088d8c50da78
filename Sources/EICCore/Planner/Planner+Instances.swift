/// Per instance: verify only, install, upgrade — or why not (design §1, task 2).
extension Planner {
    func instanceAction(_ instance: ObservedInstance, _ section: InstancesSection) -> PlannedAction {
        let address = ResourceAddress.instance(id: instance.cloud.instanceId)
        func action(_ change: Change, before: String? = nil, after: String? = nil, _ reason: String, _ operation: Operation = .none) -> PlannedAction {
            PlannedAction(address, kind: .instance, change: change, before: before, after: after, reason: reason, operation: operation)
        }
        let facts: HostFacts
        switch instance.host {
        case .notProbed(let why): return action(.skip, "not contacted: \(why)")
        case .probeFailed(let why): return action(.skip, "logged in, but the read-only probe failed: \(why)")
        case .unreachable(let error): return action(.unreachable, Self.unreachableReason(error, instance))
        case .facts(let found): facts = found
        }
        let before = Self.describeState(facts)
        if facts.classification == .conflict {
            return action(.conflict, before: before, facts.conflictDescription)
        }
        let installed = facts.packageVersion
        let floor = PackageFamily(facts.distribution).map { PackageMinimums.minimum(for: $0, overrides: section.minimumPackageVersions) }
        let minimum = floor?.version ?? "0"
        let tooOld = installed.map { $0.isOlder(than: minimum) } ?? false
        if facts.classification == .eic && !tooOld {
            return action(.noOp, before: before, "EC2 Instance Connect is configured (\(facts.distribution)); verify only")
        }
        guard let manager = facts.distribution.supportedManager, facts.packageManager == manager || facts.packageManager == nil else {
            return action(.skip, before: before,
                          "\(facts.distribution) is not supported for installing ec2-instance-connect (Amazon Linux 2/2023, Ubuntu 16.04+ and RHEL-family 8/9 are)")
        }
        if let blocked = Self.privilegeProblem(facts, instance) { return action(.skip, before: before, blocked) }
        // RHEL-family repositories lack the package: installing AWS's published RPM also upgrades an older one.
        let published: PublishedRPM? = if case .enterpriseLinux(_, _, let build) = facts.distribution { build } else { nil }
        if let installed, tooOld {
            let step: HostStep = published.map { .installPublished(manager, $0) } ?? .upgrade(manager)
            let how = published.map { "\($0) with \(manager.rawValue)" } ?? "\(manager.rawValue) upgrade"
            return action(.update, before: before, after: "ec2-instance-connect ≥ \(minimum) (\(how))",
                          "ec2-instance-connect \(installed) is older than \(minimum)"
                              + (floor?.fix.map { " (\($0))" } ?? " (the plan's minimum for \(facts.distribution))"),
                          .onboardHost(instanceId: instance.cloud.instanceId, steps: [step], useSudo: facts.privilege != .root, minimumVersion: minimum))
        }
        if installed == nil {
            let step: HostStep = published.map { .installPublished(manager, $0) } ?? .install(manager)
            let how = published.map { "from \($0) with \(manager.rawValue)" } ?? "with \(manager.rawValue)"
            return action(.create, before: before, after: "ec2-instance-connect installed \(how); EIC's AuthorizedKeysCommand",
                          "\(facts.distribution) has no ec2-instance-connect package",
                          .onboardHost(instanceId: instance.cloud.instanceId, steps: [step], useSudo: facts.privilege != .root, minimumVersion: minimum))
        }
        // Installed and new enough, but sshd does not run EIC's command: the package declined to configure sshd.
        return action(.skip, before: before,
                      "ec2-instance-connect \(installed?.text ?? "") is installed but sshd does not use its AuthorizedKeysCommand; check the package's post-install log")
    }

    /// Whether apply will run commands on this instance (install or upgrade): only then does its probe
    /// session stay open for apply. Instance actions do not read the IAM templates.
    public static func needsHostCommands(_ instance: ObservedInstance, _ section: InstancesSection) -> Bool {
        let planner = Planner(templates: PolicyTemplates(byInstanceArn: "", byTag: ""))
        if case .onboardHost = planner.instanceAction(instance, section).operation { return true }
        return false
    }

    static func describeState(_ facts: HostFacts) -> String {
        let package = facts.package.installed ? "ec2-instance-connect \(facts.package.version ?? "?")" : "no ec2-instance-connect"
        let command = facts.effective.command.map { "AuthorizedKeysCommand \($0)" } ?? "no AuthorizedKeysCommand"
        return "\(facts.distribution), \(package), \(command)"
    }

    static func privilegeProblem(_ facts: HostFacts, _ instance: ObservedInstance) -> String? {
        let user = instance.target?.user ?? "the login user"
        switch facts.privilege {
        case .root, .sudo, .unknown: return nil
        case .sudoNeedsPassword:
            return "sudo asks \(user) for a password, so the package cannot be installed unattended (allow NOPASSWD sudo, or log in as root)"
        case .none: return "\(user) is not root and sudo is not installed, so the package cannot be installed"
        }
    }

    static func unreachableReason(_ error: HostConnectError, _ instance: ObservedInstance) -> String {
        if instance.target?.transport == .ssm { return "SSM Run Command cannot reach it: \(error.message)" }
        let at = instance.target.map { " at \($0.displayName)" } ?? ""
        switch error.kind {
        case .hostKeyChanged:
            // The adapter's message carries OpenSSH's whole warning banner; the plan keeps the line that says where.
            let offending = error.message.split(separator: "\n").first { $0.contains("Offending") }.map { " (\(String($0).trimmingWhitespace()))" } ?? ""
            return "host key refused\(at): it differs from known_hosts\(offending) — possibly a man-in-the-middle; eicsetup never accepts a changed key"
        case .hostKeyUnknown:
            return "host key refused\(at): not in known_hosts and hostKeys is strict (add it, or use \"hostKeys\": \"accept-new\")"
        case .authentication: return "login refused\(at): \(error.message)"
        case .identity: return "the SSH key cannot be used: \(error.message)"
        case .unreachable, .timeout, .session: return "SSH unreachable\(at): \(error.message)"
        }
    }
}
