import Foundation

/// `verify`: a real EIC login on every selected instance, in parallel, each with a diagnosis when it
/// fails (design §2). AccessDenied is retried for a bounded time, since IAM changes made by a just-
/// finished apply take a moment to reach EC2 Instance Connect.
public struct Verifier: Sendable {
    public let login: any InstanceLogin
    public var parallelism: Int
    /// How long AccessDenied is retried (IAM propagation).
    public var accessDeniedRetrySeconds: Double
    let sleep: @Sendable (Double) async -> Void
    let clock: @Sendable () -> Double

    public init(login: any InstanceLogin, parallelism: Int = 10, accessDeniedRetrySeconds: Double = 30,
                sleep: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(nanoseconds: UInt64($0 * 1e9)) },
                clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.login = login
        self.parallelism = parallelism
        self.accessDeniedRetrySeconds = accessDeniedRetrySeconds
        self.sleep = sleep
        self.clock = clock
    }

    /// One result per instance, in the observation's order. `osUsers` are the users the plan's policies
    /// allow; each instance is tried as its own login user when allowed, else as the first allowed one.
    public func verify(_ observation: Observation, osUsers: [String], settings: SSHSettings) async -> [VerifyResult] {
        let results = await BoundedConcurrency.map(observation.instances, maxInFlight: parallelism) { instance in
            await verifyOne(instance, observation, osUsers: osUsers, settings: settings)
        }
        return results.enumerated().map { index, result in
            switch result {
            case .success(let value): return value
            case .failure(let error):
                let instance = observation.instances[index]
                return VerifyResult(instanceId: instance.cloud.instanceId, name: instance.displayName, osUser: "", address: nil,
                                    outcome: .failed(.other(String(describing: error))), seconds: 0)
            }
        }
    }

    /// The login users to try on `instance`, in order: the one its probe logged in as; else the candidates
    /// of `"user"` (one when the AMI names its distribution, else ec2-user then ubuntu — the same rule as
    /// the probe and `eicsetup ssh`), keeping those the plan's policies allow.
    static func loginUsers(_ instance: ObservedInstance, osUsers: [String], settings: SSHSettings) -> [String] {
        // Only a login that worked names the user: a refused one's target holds the last user tried, and
        // an SSM probe runs as root, which is no EIC login user.
        if let target = instance.target, target.transport == .ssh, case .facts = instance.host {
            return [osUsers.isEmpty || osUsers.contains(target.user) ? target.user : osUsers[0]]
        }
        var candidates = Observer.loginUsers(settings.user, image: instance.image)
        // An SSM probe read os-release: the distribution's user goes first when the AMI did not say.
        if case .facts(let facts) = instance.host, candidates.count > 1, let user = DefaultLoginUser.user(osID: facts.osID) {
            candidates = [user] + candidates.filter { $0 != user }
        }
        let allowed = osUsers.isEmpty ? candidates : candidates.filter(osUsers.contains)
        return allowed.isEmpty ? [osUsers.first ?? candidates.first ?? "ec2-user"] : allowed
    }

    func verifyOne(_ instance: ObservedInstance, _ observation: Observation, osUsers: [String], settings: SSHSettings) async -> VerifyResult {
        let started = clock()
        let users = Self.loginUsers(instance, osUsers: osUsers, settings: settings)
        var user = users[0]
        func result(_ outcome: VerifyResult.Outcome, address: String?) -> VerifyResult {
            VerifyResult(instanceId: instance.cloud.instanceId, name: instance.displayName, osUser: user, address: address,
                         outcome: outcome, seconds: clock() - started)
        }
        guard instance.cloud.lifecycle == .running else {
            return result(.failed(.notRunning(state: instance.cloud.state)), address: nil)
        }
        guard let address = Observer.address(of: instance.cloud, choice: settings.address) else {
            return result(.failed(.noAddress), address: nil)
        }
        var delay = 1.0
        var next = 1
        while true {
            let request = LoginRequest(instanceId: instance.cloud.instanceId, osUser: user, address: address, port: settings.port,
                                       availabilityZone: instance.cloud.availabilityZone)
            let attemptStart = clock()
            let answer = Self.firstLines(await login.login(request))
            switch answer {
            case .ok: return result(.ok, address: address)
            case .accessDenied(let message):
                if clock() - started + delay <= accessDeniedRetrySeconds {
                    await sleep(delay)
                    delay = min(delay * 2, 8)
                    continue
                }
                return result(.failed(.accessDenied(user: user, retriedSeconds: Int(accessDeniedRetrySeconds), message: message)), address: address)
            case .keyRefused(let message):
                // Without the AMI's name the user is a guess: a refused key may only mean "no such user here".
                if next < users.count {
                    user = users[next]
                    next += 1
                    continue
                }
                return result(Self.diagnoseRefusedKey(instance, message: message, took: clock() - attemptStart), address: address)
            case .hostKeyChanged(let message):
                return result(.failed(.hostKeyChanged(message: message)), address: address)
            case .hostKeyUnknown(let message):
                return result(.failed(.hostKeyUnknown(message: message)), address: address)
            case .unreachable(let message):
                return result(Self.diagnoseUnreachable(instance, observation, port: settings.port, message: message), address: address)
            case .other(let message):
                return result(.failed(.other(message)), address: address)
            }
        }
    }

    /// Adapters may hand over multi-line texts (OpenSSH's host-key banner); the table keeps one line.
    static func firstLines(_ result: LoginResult) -> LoginResult {
        func first(_ text: String) -> String { text.split(separator: "\n").first.map(String.init) ?? text }
        switch result {
        case .ok: return .ok
        case .accessDenied(let text): return .accessDenied(first(text))
        case .keyRefused(let text): return .keyRefused(first(text))
        case .hostKeyChanged(let text): return .hostKeyChanged(first(text))
        case .hostKeyUnknown(let text): return .hostKeyUnknown(first(text))
        case .unreachable(let text): return .unreachable(first(text))
        case .other(let text): return .other(first(text))
        }
    }

    /// The key was pushed but sshd refused it: say why, from what the probe saw.
    static func diagnoseRefusedKey(_ instance: ObservedInstance, message: String, took: Double) -> VerifyResult.Outcome {
        guard case .facts(let facts) = instance.host else {
            return .failed(.keyRefusedUnprobed(message: message))
        }
        switch facts.classification {
        case .conflict:
            return .failed(.foreignCommand(facts.foreignCommand))
        case .none where !facts.package.installed:
            return .failed(.packageMissing(sudoNeedsPassword: facts.privilege == .sudoNeedsPassword))
        case .none:
            return .failed(.noAuthorizedKeysCommand)
        case .eic:
            if took > 55 { return .failed(.keyExpired(seconds: Int(took))) }
            return .failed(.sshdNotRestarted(message: message))
        }
    }

    /// No SSH answer: a security group without tcp/22 from here, or the host itself.
    static func diagnoseUnreachable(_ instance: ObservedInstance, _ observation: Observation, port: Int, message: String) -> VerifyResult.Outcome {
        let groups = instance.cloud.securityGroupIds.filter { observation.groupRules[$0] != nil }
        if !groups.isEmpty, let source = observation.operatorCIDR {
            let wanted = IngressPermission(fromPort: port, toPort: port, source: source.contains(":") ? .cidrIpv6(source) : .cidrIpv4(source))
            let open = groups.contains { group in
                (observation.groupRules[group] ?? []).contains { !$0.isEgress && ($0.covers(wanted) || Self.isOpenToAll($0, port: port)) }
            }
            if !open {
                return .failed(.securityGroupClosed(groups: groups, port: port, source: source, message: message))
            }
        }
        return .failed(.noAnswer(port: port, message: message))
    }

    static func isOpenToAll(_ rule: SecurityGroupRule, port: Int) -> Bool {
        guard rule.cidrIpv4 == "0.0.0.0/0" || rule.cidrIpv6 == "::/0" else { return false }
        if rule.ipProtocol == "-1" { return true }
        return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 0)
    }
}

/// One instance's verification.
public struct VerifyResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case ok
        case failed(VerifyFinding)
    }

    /// The cause, typed.
    public enum Diagnosis: String, Sendable, Codable {
        case noPermission = "no-iam-permission"
        case securityGroup = "security-group"
        case unreachable
        case hostKeyMismatch = "host-key-mismatch"
        case hostKeyUnknown = "host-key-unknown"
        case eicNotConfigured = "eic-not-configured"
        case keyExpired = "key-expired"
        case other
    }

    public var instanceId: String
    public var name: String
    public var osUser: String
    public var address: String?
    public var outcome: Outcome
    public var seconds: Double

    public var passed: Bool { outcome == .ok }
}
