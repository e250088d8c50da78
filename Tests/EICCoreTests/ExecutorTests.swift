import Synchronization
import Testing
@testable import EICCore

/// plan + apply on the fakes (design §5, step 4): what apply changes, that a second run changes
/// nothing, and that failures, duplicates and Ctrl-C are handled per action.
@Suite struct ExecutorTests {
    static let planner = Planner(templates: FakeFleet.templates)

    /// Observes keeping every probe's session (the scoped owner is `HostSessions`).
    static func observeKeeping(_ fleet: FakeFleet, _ plan: PlanFile) async throws -> (Observation, HostSessions) {
        let sessions = HostSessions(connector: fleet.connector, limit: 1_000) { _ in true }
        return (try await fleet.observer().observe(plan, region: "us-east-1", into: sessions), sessions)
    }

    /// Observes (keeping the sessions), plans and executes once.
    static func apply(_ fleet: FakeFleet, _ plan: PlanFile = FakeFleet.plan(), parallelism: Int = 4,
                      before: (Executor) -> Void = { _ in }) async throws -> (PlanResult, [ActionOutcome]) {
        let (observation, sessions) = try await ExecutorTests.observeKeeping(fleet, plan)
        let result = planner.plan(plan, observation)
        let executor = Executor(cloud: fleet.cloud, sessions: sessions, parallelism: parallelism)
        before(executor)
        return (result, await executor.run(result.actions))
    }

    static func outcome(_ outcomes: [ActionOutcome], _ address: String) -> ActionOutcome? {
        outcomes.first { $0.address == address }
    }

    static let installable: [FakePersonality] = [.al2Old, .ubuntu1604, .ubuntu1804, .al2Package1112, .al2Current, .conflictSSHDConfig,
                                                 .unreachable, .sudoPassword]

    @Test func applyOnboardsInstallableHostsAndASecondRunChangesNothing() async throws {
        let fleet = await FakeFleet.make(Self.installable)
        await fleet.cloud.addPrincipal(PrincipalRef(kind: .user, name: "eic-user"))
        let (_, outcomes) = try await Self.apply(fleet)

        let statuses = fleet.instanceIds.map { Self.outcome(outcomes, "instance[\($0)]")?.status }
        #expect(statuses == [.changed, .changed, .changed, .changed, .ok, .conflict, .unreachable, .skipped])
        #expect(outcomes.filter { $0.kind != .instance }.map(\.status) == [.changed, .changed, .changed])
        let details = fleet.instanceIds.prefix(4).map { Self.outcome(outcomes, "instance[\($0)]")?.detail }
        #expect(details[0] == .onboarded(upgraded: false, version: "1.1-19.amzn2"))
        #expect(details[1] == .onboarded(upgraded: false, version: "1.1.12.0-0ubuntu3~16.04.1"))
        #expect(details[3] == .onboarded(upgraded: true, version: "1.1-19.amzn2"))

        // Probe, package commands (non-interactive, through sudo -n), re-probe — over the probe's session.
        let machine = { (index: Int) in fleet.machines[fleet.instanceIds[index]] }
        #expect(machine(0)?.commandKinds == [.probe, .install, .probe])
        #expect(machine(1)?.commandKinds == [.probe, .refresh, .install, .probe])
        #expect(machine(3)?.commandKinds == [.probe, .upgrade, .probe])
        #expect(machine(0)?.packageCommands == ["'sudo' '-n' 'yum' '-y' 'install' 'ec2-instance-connect'"])
        #expect(machine(1)?.packageCommands.last?.hasPrefix("'sudo' '-n' 'env' 'DEBIAN_FRONTEND=noninteractive' 'apt-get'") == true)
        for index in [4, 5, 7] { #expect(machine(index)?.commandKinds == [.probe]) }
        #expect(fleet.connector.opens.count == Self.installable.count)

        // The cloud has what the plan asked for.
        #expect(await fleet.cloud.stored("EC2InstanceConnect-fake")?.versions.count == 1)
        #expect(await fleet.cloud.ingressRules(of: FakeFleet.group).map(\.cidrIpv4) == ["203.0.113.7/32"])

        // Second run: everything is a no-op (or still needs a person); no mutating call, no package command.
        await fleet.cloud.resetCalls()
        let commandsBefore = fleet.machines.mapValues(\.commands.count)
        let (second, again) = try await Self.apply(fleet)
        #expect(!second.summary.hasChanges)
        #expect(await fleet.cloud.mutatingCalls.isEmpty)
        for (id, machine) in fleet.machines {
            let newCommands = machine.commandKinds.dropFirst(commandsBefore[id] ?? 0)
            #expect(Array(newCommands) == [.probe], "\(machine.name) ran \(Array(newCommands))")
        }
        #expect(again.allSatisfy { [.ok, .conflict, .unreachable, .skipped].contains($0.status) })
    }

    @Test func oneFailedInstallDoesNotStopTheOthers() async throws {
        let fleet = await FakeFleet.make([.al2Old, .ubuntu1604, .al2Old])
        fleet.machines[fleet.instanceIds[1]]?.update { $0.installFails = true }
        let (_, outcomes) = try await Self.apply(fleet, FakeFleet.plan(iam: false, securityGroups: false))
        #expect(outcomes.map(\.status) == [.changed, .failed, .changed])
        guard case .commandFailed(.install(.apt), status: 1, signal: nil, let output) = outcomes[1].detail else {
            Issue.record("not a failed apt-get install: \(outcomes[1].detail)")
            return
        }
        #expect(output.joined().contains("Unable to locate package"))
        // No re-probe after a failed step.
        #expect(fleet.machines[fleet.instanceIds[1]]?.commandKinds == [.probe, .refresh, .install])
    }

    @Test func theReprobeDecidesSuccess() async throws {
        let fleet = await FakeFleet.make([.al2Old])
        let plan = FakeFleet.plan(iam: false, securityGroups: false)
        let (observation, sessions) = try await ExecutorTests.observeKeeping(fleet, plan)
        // Between plan and apply someone adds a foreign command: yum succeeds but the package leaves sshd alone.
        fleet.machines[fleet.instanceIds[0]]?.update { $0.foreignInSSHDConfig = FakeHostState.foreign }
        let outcomes = await Executor(cloud: fleet.cloud, sessions: sessions).run(Self.planner.plan(plan, observation).actions)
        #expect(outcomes.map(\.status) == [.failed])
        #expect(outcomes[0].detail == .stillNotEIC(command: FakeHostState.foreign))
    }

    @Test func asRootThePackageManagerRunsWithoutSudo() async throws {
        let fleet = await FakeFleet.make([.ubuntu1604])
        fleet.machines[fleet.instanceIds[0]]?.update { $0.access = .root }
        let (_, outcomes) = try await Self.apply(fleet, FakeFleet.plan(iam: false, securityGroups: false))
        #expect(outcomes.map(\.status) == [.changed])
        let commands = fleet.machines[fleet.instanceIds[0]]?.packageCommands ?? []
        #expect(commands.count == 2)
        #expect(commands.allSatisfy { $0.hasPrefix("'env' 'DEBIAN_FRONTEND=noninteractive' 'apt-get' '-q' '-y'") })
    }

    @Test func aDuplicateRuleMeansConverged() async throws {
        let fleet = await FakeFleet.make([])
        let plan = PlanFile(region: "us-east-1", securityGroups: [SecurityGroupEntry(
            target: .groupId(FakeFleet.group), ingress: [IngressRule(port: 22, source: .cidr("198.51.100.0/24")), IngressRule(port: 22, source: .operatorAddress)])])
        let observation = try await fleet.observer().observe(plan, region: "us-east-1")
        let actions = Self.planner.plan(plan, observation).actions
        #expect(actions.map(\.change) == [.create, .create])
        // Someone else adds the first rule after the plan was made.
        if case .authorizeIngress(let group, let permission) = actions[0].operation {
            try await fleet.cloud.authorizeIngress(groupId: group, permissions: [permission])
        }
        let outcomes = await Executor(cloud: fleet.cloud, sessions: [:]).run(actions)
        #expect(outcomes.map(\.status) == [.ok, .changed])
        guard case .ruleAlreadyThere(FakeFleet.group, let permission) = outcomes[0].detail else {
            Issue.record("not converged: \(outcomes[0].detail)")
            return
        }
        #expect(permission.source == .cidrIpv4("198.51.100.0/24") && permission.fromPort == 22)
        #expect(await fleet.cloud.ingressRules(of: FakeFleet.group).count == 2)
    }

    @Test func aGroupThePlanNamesMustExistBeforeAnythingIsPlanned() async throws {
        // DescribeSecurityGroupRules cannot tell a missing group from an empty one; without the check the
        // plan would offer to add rules to it and only apply would find out.
        let fleet = await FakeFleet.make([])
        let plan = PlanFile(region: "us-east-1", securityGroups: [
            SecurityGroupEntry(target: .groupId(FakeFleet.group), ingress: [IngressRule(port: 22, source: .cidr("10.0.0.0/8"))]),
            SecurityGroupEntry(target: .groupId("sg-00000000000000bad"), ingress: [IngressRule(port: 22, source: .cidr("10.0.0.0/8"))]),
        ])
        do {
            _ = try await fleet.observer().observe(plan, region: "us-east-1")
            Issue.record("a plan naming a missing group was observed")
        } catch {
            #expect(error.step == "check that the plan's security groups exist (ec2:DescribeSecurityGroups)")
            #expect(error.reason.contains("sg-00000000000000bad") && error.reason.contains("does not exist"), "\(error)")
        }
        #expect(await fleet.cloud.calls.map(\.name).filter { $0.hasPrefix("ec2:") } == ["ec2:DescribeSecurityGroups"])
    }

    @Test func aGroupDeletedSinceThePlanFailsItsRuleWithEC2sReason() async throws {
        let other = "sg-00000000000000b0d"
        let fleet = await FakeFleet.make([])
        await fleet.cloud.addGroup(other)
        let plan = PlanFile(region: "us-east-1", securityGroups: [
            SecurityGroupEntry(target: .groupId(other), ingress: [IngressRule(port: 22, source: .cidr("10.0.0.0/8"))]),
            SecurityGroupEntry(target: .groupId(FakeFleet.group), ingress: [IngressRule(port: 22, source: .cidr("10.0.0.0/8"))]),
        ])
        let observation = try await fleet.observer().observe(plan, region: "us-east-1")
        let actions = Self.planner.plan(plan, observation).actions
        await fleet.cloud.removeGroup(other)
        let outcomes = await Executor(cloud: fleet.cloud, sessions: [:]).run(actions)
        #expect(outcomes.map(\.status) == [.failed, .changed])
        guard case .error(let error) = outcomes[0].detail else {
            Issue.record("not an error: \(outcomes[0].detail)")
            return
        }
        #expect(error.contains("InvalidGroup.NotFound"))
    }

    @Test func stopBeforeRunCancelsEveryChangeAndMutatesNothing() async throws {
        let fleet = await FakeFleet.make([.al2Old, .al2Current, .ubuntu1604])
        await fleet.cloud.addPrincipal(PrincipalRef(kind: .user, name: "eic-user"))
        await fleet.cloud.resetCalls()
        let (result, outcomes) = try await Self.apply(fleet) { $0.stop() }
        for (action, outcome) in zip(result.actions, outcomes) {
            #expect(outcome.status == (action.change.isChange ? .cancelled : .ok), "\(action.address)")
        }
        #expect(outcomes.filter { $0.status == .cancelled }.count == 5)
        #expect(await fleet.cloud.mutatingCalls.isEmpty)
        #expect(fleet.machines.values.allSatisfy { $0.packageCommands.isEmpty })
    }

    @Test func stopWhileRunningLetsTheRunningInstallFinish() async throws {
        let fleet = await FakeFleet.make([.al2Old, .al2Old, .al2Old])
        let plan = FakeFleet.plan(iam: false, securityGroups: false)
        let (observation, sessions) = try await ExecutorTests.observeKeeping(fleet, plan)
        let release = Gate()
        let entered = fleet.machines[fleet.instanceIds[0]]?.hang(at: .packageCommand, until: release) ?? Gate()
        let executor = Executor(cloud: fleet.cloud, sessions: sessions, parallelism: 1)
        let run = Task { await executor.run(Self.planner.plan(plan, observation).actions) }
        await entered.wait()
        executor.stop()
        release.open()
        let outcomes = await run.value
        #expect(outcomes.map(\.status) == [.changed, .cancelled, .cancelled])
        #expect(outcomes[1].detail == .interrupted)
        #expect(fleet.machines[fleet.instanceIds[2]]?.packageCommands.isEmpty == true)
    }

    @Test func eventsReportEveryActionOnce() async throws {
        let fleet = await FakeFleet.make([.al2Old, .al2Current])
        let events = Mutex<[String]>([])
        let plan = FakeFleet.plan(iam: false)
        let (observation, sessions) = try await ExecutorTests.observeKeeping(fleet, plan)
        let actions = Self.planner.plan(plan, observation).actions
        let executor = Executor(cloud: fleet.cloud, sessions: sessions) { event in
            switch event {
            case .started(let address): events.withLock { $0.append("start \(address)") }
            case .finished(let outcome): events.withLock { $0.append("\(outcome.status) \(outcome.address)") }
            }
        }
        _ = await executor.run(actions)
        let seen = events.withLock { $0 }
        #expect(seen.filter { $0.hasPrefix("start ") }.count == 2)  // the rule and the install; no-ops do not start
        for action in actions { #expect(seen.filter { $0.hasSuffix(" \(action.address)") && !$0.hasPrefix("start") }.count == 1) }
    }
}
