import Synchronization
import Testing
@testable import EICCore

/// A scripted `InstanceLogin`: answers per instance id, in order (the last answer repeats); counts attempts.
final class ScriptedLogin: InstanceLogin {
    private let answers: Mutex<[String: [LoginResult]]>
    private let attempts = Mutex<[String: Int]>([:])

    init(_ answers: [String: [LoginResult]]) {
        self.answers = Mutex(answers)
    }

    func login(_ request: LoginRequest) async -> LoginResult {
        attempts.withLock { $0[request.instanceId, default: 0] += 1 }
        return answers.withLock { all in
            guard var queue = all[request.instanceId], !queue.isEmpty else { return .ok }
            let next = queue.count > 1 ? queue.removeFirst() : queue[0]
            all[request.instanceId] = queue
            return next
        }
    }

    func attemptCount(_ id: String) -> Int { attempts.withLock { $0[id] ?? 0 } }
}

@Suite struct VerifierTests {
    /// A recorded observation of the default mix, with the operator's address and an open group.
    static func observed(_ personalities: [FakePersonality], rules: [SecurityGroupRule] = []) async throws -> (FakeFleet, Observation) {
        let fleet = await FakeFleet.make(personalities, groupRules: rules)
        let observation = try await fleet.observer().observe(FakeFleet.plan(), region: "us-east-1")
        return (fleet, observation)
    }

    static func diagnosis(_ result: VerifyResult) -> VerifyResult.Diagnosis? {
        if case .failed(let finding) = result.outcome { return finding.diagnosis }
        return nil
    }

    @Test func eachFailureGetsTheDiagnosisOfItsCause() async throws {
        let open = SecurityGroupRule(ruleId: "sgr-1", groupId: FakeFleet.group, isEgress: false, ipProtocol: "tcp", fromPort: 22, toPort: 22,
                                     cidrIpv4: "203.0.113.7/32", cidrIpv6: nil, prefixListId: nil, description: nil)
        let mix: [FakePersonality] = [.al2Current, .conflictSSHDConfig, .conflictInclude, .sudoPassword, .unreachable, .hostKeyChanged, .ubuntu2004]
        let (fleet, observation) = try await Self.observed(mix, rules: [open])
        let ids = fleet.instanceIds
        let login = ScriptedLogin([
            ids[1]: [.keyRefused("refused")], ids[2]: [.keyRefused("refused")], ids[3]: [.keyRefused("refused")],
            ids[4]: [.unreachable("connection refused")], ids[5]: [.hostKeyChanged("changed")],
            ids[6]: [.accessDenied("not authorized")],
        ])
        let verifier = Verifier(login: login, accessDeniedRetrySeconds: 0, sleep: { _ in })
        let results = await verifier.verify(observation, osUsers: ["ec2-user", "ubuntu"], settings: SSHSettings(address: .privateIP))
        #expect(results.map(Self.diagnosis) == [nil, .eicNotConfigured, .eicNotConfigured, .eicNotConfigured, .unreachable,
                                                 .hostKeyMismatch, .noPermission])
        #expect(results[0].osUser == "ec2-user" && results[6].osUser == "ubuntu")
        if case .failed(.foreignCommand(let foreign)) = results[2].outcome {
            #expect(foreign.file?.hasPrefix("/etc/ssh/sshd_config.d/") == true)
        } else { Issue.record("not a foreign command: \(results[2].outcome)") }
        #expect(results[3].outcome == .failed(.packageMissing(sudoNeedsPassword: true)))
    }

    @Test func aClosedSecurityGroupIsNamedWhenTheHostDoesNotAnswer() async throws {
        let (fleet, observation) = try await Self.observed([.al2Current])
        let login = ScriptedLogin([fleet.instanceIds[0]: [.unreachable("timed out")]])
        let results = await Verifier(login: login, sleep: { _ in }).verify(observation, osUsers: ["ec2-user"], settings: SSHSettings(address: .privateIP))
        #expect(Self.diagnosis(results[0]) == .securityGroup)
        #expect(results[0].outcome == .failed(.securityGroupClosed(groups: [FakeFleet.group], port: 22, source: "203.0.113.7/32", message: "timed out")))
    }

    @Test func accessDeniedIsRetriedForIAMPropagationThenPasses() async throws {
        let (fleet, observation) = try await Self.observed([.al2Current])
        let id = fleet.instanceIds[0]
        let login = ScriptedLogin([id: [.accessDenied("not yet"), .accessDenied("not yet"), .ok]])
        let slept = Mutex<[Double]>([])
        let verifier = Verifier(login: login, accessDeniedRetrySeconds: 30, sleep: { seconds in slept.withLock { $0.append(seconds) } })
        let results = await verifier.verify(observation, osUsers: ["ec2-user"], settings: SSHSettings(address: .privateIP))
        #expect(results[0].passed)
        #expect(login.attemptCount(id) == 3)
        #expect(slept.withLock { $0 } == [1, 2])
    }

    @Test func accessDeniedGivesUpAfterTheBound() async throws {
        let (fleet, observation) = try await Self.observed([.al2Current])
        let id = fleet.instanceIds[0]
        let login = ScriptedLogin([id: [.accessDenied("denied")]])
        let now = Mutex(0.0)
        let verifier = Verifier(login: login, accessDeniedRetrySeconds: 10, sleep: { seconds in now.withLock { $0 += seconds } },
                                clock: { now.withLock { $0 } })
        let results = await verifier.verify(observation, osUsers: ["ec2-user"], settings: SSHSettings(address: .privateIP))
        #expect(Self.diagnosis(results[0]) == .noPermission)
        #expect(login.attemptCount(id) == 4)
        #expect(now.withLock { $0 } <= 10)
    }
}

/// Verify without ec2:DescribeImages and without the fleet key: the login user is a guess, so a refused
/// key on ec2-user goes on to ubuntu — the rule `eicsetup ssh` and the probe use — instead of reporting a
/// working Ubuntu host as "eic-not-configured".
@Suite struct VerifierLoginUserTests {
    /// Logs in only as `user`; every other user's key is refused, as sshd does for a user that does not exist.
    final class OnlyUser: InstanceLogin {
        let user: String
        private let tried = Mutex<[String]>([])
        init(_ user: String) { self.user = user }
        func login(_ request: LoginRequest) async -> LoginResult {
            tried.withLock { $0.append(request.osUser) }
            return request.osUser == user ? .ok : .keyRefused("Permission denied (publickey)")
        }
        var users: [String] { tried.withLock { $0 } }
    }

    static func unprobed() -> ObservedInstance {
        let cloud = CloudInstance(instanceId: "i-0000000000000000a", state: "running", imageId: "ami-0a12000000000001",
                                  privateIpAddress: "10.0.1.10", publicIpAddress: nil, availabilityZone: "us-east-1a",
                                  platformDetails: "Linux/UNIX", keyName: nil, vpcId: nil, subnetId: nil, securityGroupIds: [], tags: [])
        return ObservedInstance(cloud: cloud, image: nil, target: nil, host: .notProbed(.noFleetKey))
    }

    /// A probe whose login was refused leaves the last user tried in its target: that is no proof the
    /// user exists, so verify still tries the candidates; an SSM probe (as root) puts the user of the
    /// distribution it read first.
    @Test func onlyAWorkingSSHLoginOrTheProbedDistributionChoosesTheUser() async {
        var refused = Self.unprobed()
        refused.target = HostTarget(address: "10.0.1.10", port: 22, user: "ubuntu", identityFile: nil, knownHostsPath: "/k", hostKeys: .strict)
        refused.host = .unreachable(HostConnectError(kind: .authentication, message: "refused"))
        #expect(Verifier.loginUsers(refused, osUsers: ["ec2-user", "ubuntu"], settings: SSHSettings()) == ["ec2-user", "ubuntu"])
        var overSSM = Self.unprobed()
        overSSM.target = .ssm(instanceId: "i-0000000000000000a", commandTimeoutSeconds: 60)
        overSSM.host = .facts(PackageMinimumsTests.facts("ubuntu", "22.04", package: "1.1.14-0ubuntu1.1", manager: .apt))
        #expect(Verifier.loginUsers(overSSM, osUsers: ["ec2-user", "ubuntu"], settings: SSHSettings()) == ["ubuntu", "ec2-user"])
        var overSSH = Self.unprobed()
        overSSH.target = HostTarget(address: "10.0.1.10", port: 22, user: "ec2-user", identityFile: nil, knownHostsPath: "/k", hostKeys: .strict)
        overSSH.host = .facts(PackageMinimumsTests.facts("amzn", "2", package: "1.1-19.amzn2", manager: .yum))
        #expect(Verifier.loginUsers(overSSH, osUsers: ["ec2-user", "ubuntu"], settings: SSHSettings()) == ["ec2-user"])
    }

    @Test func anUnknownImageTriesEachDefaultUserInTurn() async {
        let login = OnlyUser("ubuntu")
        var observation = Observation(caller: CallerIdentity(account: "1", arn: "arn", userId: "u"), region: "us-east-1")
        observation.instances = [Self.unprobed()]
        let results = await Verifier(login: login, sleep: { _ in }).verify(observation, osUsers: ["ec2-user", "ubuntu"],
                                                                          settings: SSHSettings(address: .privateIP))
        #expect(results.first?.outcome == .ok)
        #expect(results.first?.osUser == "ubuntu")
        #expect(login.users == ["ec2-user", "ubuntu"])
    }

    @Test func onlyUsersThePoliciesAllowAreTried() async {
        let login = OnlyUser("ubuntu")
        var observation = Observation(caller: CallerIdentity(account: "1", arn: "arn", userId: "u"), region: "us-east-1")
        observation.instances = [Self.unprobed()]
        let results = await Verifier(login: login, sleep: { _ in }).verify(observation, osUsers: ["ec2-user"],
                                                                          settings: SSHSettings(address: .privateIP))
        #expect(login.users == ["ec2-user"])
        if case .failed(let finding) = results.first?.outcome { #expect(finding.diagnosis == .eicNotConfigured) } else { Issue.record("expected a failure") }
    }
}
