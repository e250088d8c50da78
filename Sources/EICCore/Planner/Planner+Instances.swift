/// Per instance: verify only, install, upgrade — or why not (design §1, task 2).
extension Planner {
    func instanceAction(_ instance: ObservedInstance, _ section: InstancesSection) -> PlannedAction {
        let address = ResourceAddress.instance(id: instance.cloud.instanceId)
        func action(_ change: Change, before: ActionState? = nil, after: ActionState? = nil, _ reason: ActionReason,
                    _ operation: Operation = .none) -> PlannedAction {
            PlannedAction(address, kind: .instance, change: change, before: before, after: after, reason: reason, operation: operation)
        }
        let facts: HostFacts
        switch instance.host {
        case .notProbed(let why): return action(.skip, .notContacted(why))
        case .agentUnavailable(let agent): return action(.unreachable, .agentUnavailable(agent))
        case .probeFailed(let why): return action(.skip, .probeFailed(error: why))
        case .unreachable(let error):
            return action(.unreachable, .unreachable(transport: instance.target?.transport ?? .ssh, target: instance.target?.displayName,
                                                     kind: error.kind, message: error.message))
        case .facts(let found): facts = found
        }
        let before = ActionState.host(HostState(facts))
        if facts.classification == .conflict {
            return action(.conflict, before: before, .foreignCommand(facts.foreignCommand))
        }
        let installed = facts.packageVersion
        let floor = PackageFamily(facts.distribution).map { PackageMinimums.minimum(for: $0, overrides: section.minimumPackageVersions) }
        let minimum = floor?.version ?? "0"
        let tooOld = installed.map { $0.isOlder(than: minimum) } ?? false
        if facts.classification == .eic && !tooOld {
            return action(.noOp, before: before, .configured(facts.distribution))
        }
        guard let manager = facts.distribution.supportedManager, facts.packageManager == manager || facts.packageManager == nil else {
            return action(.skip, before: before, .unsupportedDistribution(facts.distribution))
        }
        switch facts.privilege {
        case .root, .sudo, .unknown: break
        case .sudoNeedsPassword, .none: return action(.skip, before: before, .cannotBecomeRoot(facts.privilege, user: instance.target?.user))
        }
        // RHEL-family repositories lack the package: installing AWS's published RPM also upgrades an older one.
        let published: PublishedRPM? = if case .enterpriseLinux(_, _, let build) = facts.distribution { build } else { nil }
        if let installed, tooOld {
            let step: HostStep = published.map { .installPublished(manager, $0) } ?? .upgrade(manager)
            return action(.update, before: before, after: .packageAtLeast(minimum: minimum, step),
                          .packageTooOld(installed: installed.text, minimum: minimum, fix: floor?.fix, distribution: facts.distribution),
                          .onboardHost(instanceId: instance.cloud.instanceId, steps: [step], useSudo: facts.privilege != .root, minimumVersion: minimum))
        }
        if installed == nil {
            let step: HostStep = published.map { .installPublished(manager, $0) } ?? .install(manager)
            return action(.create, before: before, after: .packageInstalled(step), .packageMissing(facts.distribution),
                          .onboardHost(instanceId: instance.cloud.instanceId, steps: [step], useSudo: facts.privilege != .root, minimumVersion: minimum))
        }
        // Installed and new enough, but sshd does not run EIC's command: the package declined to configure sshd.
        return action(.skip, before: before, .packageNotConfiguring(installed: installed?.text ?? ""))
    }

    /// Whether apply will run commands on this instance (install or upgrade): only then does its probe
    /// session stay open for apply. Instance actions do not read the IAM templates.
    public static func needsHostCommands(_ instance: ObservedInstance, _ section: InstancesSection) -> Bool {
        let planner = Planner(templates: PolicyTemplates(byInstanceArn: "", byTag: ""))
        if case .onboardHost = planner.instanceAction(instance, section).operation { return true }
        return false
    }
}
