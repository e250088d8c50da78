import Synchronization

/// The SSH half of observation: one connection and one read-only probe per instance, in parallel.
extension Observer {
    /// `into`: hosts its `keeping` predicate wants offer their session to it (which keeps a bounded
    /// number); every other session is closed right after its probe.
    /// `agents`: the SSM agents DescribeInstanceInformation listed (read only when the plan's transport is
    /// not plain SSH).
    func probe(_ instances: [CloudInstance], images: [String: MachineImage], plan: PlanFile,
               into kept: HostSessions? = nil, agents: [String: AgentState] = [:]) async -> [ObservedInstance] {
        guard let section = plan.instances else { return [] }
        let total = instances.count
        let counter = ProgressCounter()
        let usersByImage = LoginUserMemory()
        let results = await BoundedConcurrency.map(instances, maxInFlight: parallelism) { instance -> ObservedInstance in
            defer { counter.increment { done in onHostProbed(done, total) } }
            // Room for this probe's session: kept + probing stay within the limit (the oldest kept one goes).
            for evicted in kept?.admitProbe() ?? [] { await evicted.close() }
            let (observed, session) = await probeOne(instance, image: images[instance.imageId], section: section,
                                                     agent: agents[instance.instanceId],
                                                     keepSession: kept != nil, usersByImage: usersByImage)
            guard let kept else { return observed }
            let keep = observed.target != nil && kept.keeping(observed)
            // Nothing to do there, or no room: closed now; the executor reopens it if needed.
            if let unkept = kept.finishProbe(session, for: instance.instanceId, target: observed.target, keep: keep) {
                await unkept.close()
            }
            return observed
        }
        // Every session has been handed to `kept` or closed by now: none leaves this function.
        return results.enumerated().map { index, result in
            switch result {
            case .success(let instance): return instance
            case .failure(let error):
                return ObservedInstance(cloud: instances[index], image: nil, target: nil, host: .probeFailed(String(describing: error)))
            }
        }
    }

    func probeOne(_ instance: CloudInstance, image: MachineImage?, section: InstancesSection, agent: AgentState?, keepSession: Bool,
                  usersByImage: LoginUserMemory) async -> (ObservedInstance, (any RemoteHost)?) {
        let settings = section.ssh
        guard instance.lifecycle == .running else {
            return (ObservedInstance(cloud: instance, image: image, target: nil,
                                     host: .notProbed(.notRunning(state: instance.state))), nil)
        }
        if section.transport != .ssh {
            let target = HostTarget.ssm(instanceId: instance.instanceId, commandTimeoutSeconds: settings.commandTimeoutSeconds)
            if agent == .online {
                return await inspect(instance, image: image, target: target, keepSession: keepSession)
            }
            if section.transport == .ssm {
                return (ObservedInstance(cloud: instance, image: image, target: target, host: .agentUnavailable(agent)), nil)
            }
            // auto: no online agent, so the operator's SSH.
        }
        guard let address = Self.address(of: instance, choice: settings.address) else {
            return (ObservedInstance(cloud: instance, image: image, target: nil, host: .notProbed(.noAddress(publicIP: settings.address == .publicIP))), nil)
        }
        var lastTarget: HostTarget?
        var lastError = HostConnectError(kind: .authentication, message: "no login user to try")
        for user in usersByImage.ordered(Self.loginUsers(settings.user, image: image), imageId: instance.imageId) {
            let target = HostTarget(address: address, port: settings.port, user: user, identityFile: settings.identityFile,
                                    knownHostsPath: settings.knownHosts, hostKeys: settings.hostKeys,
                                    connectTimeoutSeconds: settings.connectTimeoutSeconds,
                                    commandTimeoutSeconds: settings.commandTimeoutSeconds)
            lastTarget = target
            let host: any RemoteHost
            do {
                host = try await connector.open(target)
            } catch let error as HostConnectError {
                lastError = error
                // Only a refused key is worth trying the next user for; anything else is the host's answer.
                if error.kind == .authentication { continue }
                break
            } catch {
                lastError = HostConnectError(kind: .session, message: String(describing: error), cause: error)
                break
            }
            usersByImage.remember(user, imageId: instance.imageId)
            return await inspect(instance, image: image, host: host, target: target, keepSession: keepSession)
        }
        return (ObservedInstance(cloud: instance, image: image, target: lastTarget, host: .unreachable(lastError)), nil)
    }

    /// Opens `target` (a transport that needs no login-user search) and probes it.
    func inspect(_ instance: CloudInstance, image: MachineImage?, target: HostTarget, keepSession: Bool) async -> (ObservedInstance, (any RemoteHost)?) {
        do {
            let host = try await connector.open(target)
            return await inspect(instance, image: image, host: host, target: target, keepSession: keepSession)
        } catch let error as HostConnectError {
            return (ObservedInstance(cloud: instance, image: image, target: target, host: .unreachable(error)), nil)
        } catch {
            return (ObservedInstance(cloud: instance, image: image, target: target,
                                     host: .unreachable(HostConnectError(kind: .session, message: String(describing: error), cause: error))), nil)
        }
    }

    /// The read-only probe over an open session, which is kept for apply or closed.
    func inspect(_ instance: CloudInstance, image: MachineImage?, host: any RemoteHost, target: HostTarget,
                 keepSession: Bool) async -> (ObservedInstance, (any RemoteHost)?) {
        do {
            let facts = try await HostInspector.inspect(host)
            if !keepSession { await host.close() }
            return (ObservedInstance(cloud: instance, image: image, target: target, host: .facts(facts)), keepSession ? host : nil)
        } catch {
            await host.close()
            return (ObservedInstance(cloud: instance, image: image, target: target, host: .probeFailed(String(describing: error))), nil)
        }
    }

    static func address(of instance: CloudInstance, choice: SSHSettings.AddressChoice) -> String? {
        switch choice {
        case .publicIP: return instance.publicIpAddress
        case .privateIP: return instance.privateIpAddress
        case .auto: return instance.publicIpAddress ?? instance.privateIpAddress
        }
    }

    /// The plan's user, or for `"auto"` the one rule that `eicsetup ssh` and `verify` use too
    /// (`DefaultLoginUser`): the distribution's user from the AMI, else ec2-user then ubuntu.
    static func loginUsers(_ user: SSHSettings.LoginUser, image: MachineImage?) -> [String] {
        if case .named(let name) = user { return [name] }
        return DefaultLoginUser.candidates(image: image)
    }
}

/// Which login user worked on instances of an AMI, across the parallel probes: when the AMI is not known
/// (no ec2:DescribeImages, as for a user who may only verify) the next instance of the same AMI tries that
/// user first instead of paying a refused login for every Ubuntu host. Only the order changes: the other
/// users are still tried.
final class LoginUserMemory: Sendable {
    private let users = Mutex<[String: String]>([:])

    func ordered(_ candidates: [String], imageId: String) -> [String] {
        guard candidates.count > 1, !imageId.isEmpty, let known = users.withLock({ $0[imageId] }), candidates.contains(known) else {
            return candidates
        }
        return [known] + candidates.filter { $0 != known }
    }

    func remember(_ user: String, imageId: String) {
        guard !imageId.isEmpty else { return }
        users.withLock { $0[imageId] = user }
    }
}

/// Counts finished probes across tasks (for the progress line).
final class ProgressCounter: Sendable {
    private let done = Mutex(0)

    func increment(_ report: (Int) -> Void) {
        let value = done.withLock { count -> Int in
            count += 1
            return count
        }
        report(value)
    }
}
