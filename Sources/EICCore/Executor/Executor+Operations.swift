/// The work behind each operation, idempotent: a second run converges instead of failing.
extension Executor {
    func execute(_ action: PlannedAction) async -> (ActionOutcome.Status, OutcomeDetail) {
        do {
            switch action.operation {
            case .none:
                return (.ok, .planned(action.reason))
            case .authorizeIngress(let groupId, let permission):
                do {
                    try await cloud.authorizeIngress(groupId: groupId, permissions: [permission])
                    return (.changed, .ruleAdded(groupId: groupId, permission))
                } catch let error as CloudError where error.kind == .duplicate {
                    return (.ok, .ruleAlreadyThere(groupId: groupId, permission))
                }
            case .createPolicy(let name, let arn, let document, let description):
                do {
                    let policy = try await cloud.createPolicy(name: name, document: document, description: description,
                                                                  tags: [ManagedPolicy.ownerTag])
                    return (.changed, .policyCreated(arn: policy.arn))
                } catch let error as CloudError where error.kind == .alreadyExists {
                    // Someone created it since the plan: converge on its document, but only if it is ours.
                    return try await convergePolicy(name: name, arn: arn, document: document, requireOwnerTag: true)
                }
            case .updatePolicy(let name, let arn, let document, let prune):
                if let prune { try await cloud.deletePolicyVersion(arn: arn, versionId: prune) }
                do {
                    let version = try await cloud.createPolicyVersion(arn: arn, document: document, setAsDefault: true)
                    return (.changed, .policyVersioned(name: name, version: version.versionId, pruned: prune))
                } catch let error as CloudError where error.kind == .limitExceeded {
                    // The plan already checked ownership (or the plan adopts it).
                    return try await convergePolicy(name: name, arn: arn, document: document, requireOwnerTag: false)
                }
            case .attachPolicy(let arn, let principal):
                try await cloud.attachPolicy(arn: arn, to: principal)
                return (.changed, .policyAttached(arn: arn, principal: principal))
            case .onboardHost(let instanceId, let steps, let useSudo, let minimum):
                return await onboard(instanceId: instanceId, steps: steps, useSudo: useSudo, minimumVersion: minimum)
            }
        } catch {
            return (.failed, .error(String(describing: error)))
        }
    }

    /// Makes `name`'s default version say `document`, pruning the oldest non-default version at IAM's limit.
    /// A policy created meanwhile by someone else (no owner tag) is not rewritten when `requireOwnerTag`.
    func convergePolicy(name: String, arn: String, document: String, requireOwnerTag: Bool) async throws -> (ActionOutcome.Status, OutcomeDetail) {
        guard let policy = try await cloud.policy(arn: arn) else { return (.failed, .policyVanished(name: name)) }
        if requireOwnerTag, !policy.isManagedByEICSetup {
            return (.failed, .policyAppearedForeign(name: name))
        }
        let versions = try await cloud.policyVersions(arn: arn)
        if let current = versions.first(where: \.isDefault) {
            let text = try await cloud.policyVersion(arn: arn, versionId: current.versionId).document ?? ""
            if PolicyDocument.equivalent(text, document) { return (.ok, .policyAlreadySays(name: name)) }
        }
        if let oldest = PolicyVersion.pruneCandidate(versions, limit: Planner.IAMQuota.policyVersions) {
            try await cloud.deletePolicyVersion(arn: arn, versionId: oldest.versionId)
        }
        let version = try await cloud.createPolicyVersion(arn: arn, document: document, setAsDefault: true)
        return (.changed, .policyVersioned(name: name, version: version.versionId, pruned: nil))
    }

    /// Install or upgrade over the session the probe kept (or a new one: see `HostSessions`), then
    /// re-probe: the action succeeds only when sshd's effective configuration now runs EIC's command
    /// with a new-enough package. The session is closed afterwards, so open sessions stay bounded.
    func onboard(instanceId: String, steps: [HostStep], useSudo: Bool, minimumVersion: String) async -> (ActionOutcome.Status, OutcomeDetail) {
        var host: any RemoteHost
        let kept: Bool
        do {
            (host, kept) = try await sessions.take(instanceId)
        } catch {
            return (.failed, .sessionNotOpened(instanceId: instanceId, error: String(describing: error)))
        }
        var result = await onboard(over: host, steps: steps, useSudo: useSudo, minimumVersion: minimumVersion)
        if kept, case .sessionLost = result {
            // The kept session died while idle (e.g. sshd's ClientAliveInterval while the plan was read):
            // nothing ran over it, so open a new one and start again.
            await host.close()
            do {
                host = try await sessions.reopen(instanceId)
            } catch {
                return (.failed, .sessionLost(instanceId: instanceId, error: String(describing: error)))
            }
            result = await onboard(over: host, steps: steps, useSudo: useSudo, minimumVersion: minimumVersion)
        }
        await host.close()
        switch result {
        case .done(let status, let detail): return (status, detail)
        case .sessionLost(let detail): return (.failed, detail)
        }
    }

    /// `sessionLost`: the first command could not run at all (the session is dead), so nothing changed.
    enum OnboardResult {
        case done(ActionOutcome.Status, OutcomeDetail)
        case sessionLost(OutcomeDetail)
    }

    private func onboard(over host: any RemoteHost, steps: [HostStep], useSudo: Bool, minimumVersion: String) async -> OnboardResult {
        var first = true
        for step in steps {
            for command in HostCommands.commands(for: step, useSudo: useSudo) {
                let result: CommandResult
                do {
                    result = try await host.run(command, stdin: [])
                } catch {
                    let detail = OutcomeDetail.commandDidNotFinish(step, error: String(describing: error))
                    return first ? .sessionLost(detail) : .done(.failed, detail)
                }
                first = false
                guard result.exitStatus == 0 else {
                    let output = (result.stderrText + "\n" + result.stdoutText).trimmingWhitespace()
                    let last = output.split(separator: "\n").suffix(3).map(String.init)
                    return .done(.failed, .commandFailed(step, status: result.exitStatus, signal: result.exitSignal, output: last))
                }
            }
        }
        let facts: HostFacts
        do {
            facts = try await HostInspector.inspect(host)
        } catch {
            return .done(.failed, .reprobeFailed(error: String(describing: error)))
        }
        guard facts.classification == .eic else {
            return .done(.failed, .stillNotEIC(command: facts.effective.command))
        }
        guard let version = facts.packageVersion, !version.isOlder(than: minimumVersion) else {
            return .done(.failed, .stillTooOld(installed: facts.package.version, minimum: minimumVersion))
        }
        let upgraded = steps.contains { if case .upgrade = $0 { return true }; return false }
        return .done(.changed, .onboarded(upgraded: upgraded, version: version.text))
    }
}
