import Synchronization
import Testing
@testable import EICCore

/// apply's sessions between probe and install (issue 20): their number grows with parallelism, not with
/// the fleet; hosts with nothing to do close theirs after the probe; a dropped session is reopened.
@Suite struct HostSessionsTests {
    static let planner = Planner(templates: FakeFleet.templates)
    static let plan = FakeFleet.plan(iam: false, securityGroups: false)

    static func observe(_ fleet: FakeFleet, parallelism: Int) async throws -> (Observation, HostSessions) {
        let sessions = HostSessions(connector: fleet.connector, limit: parallelism) { Planner.needsHostCommands($0, plan.instances ?? InstancesSection(select: InstanceSelection())) }
        let observation = try await fleet.observer(parallelism: parallelism).observe(plan, region: "us-east-1", into: sessions)
        return (observation, sessions)
    }

    @Test func openSessionsStayBoundedByParallelismNotFleetSize() async throws {
        let personalities = Array(repeating: FakePersonality.al2Old, count: 12) + Array(repeating: .al2Current, count: 4)
        let fleet = await FakeFleet.make(personalities)
        let (observation, sessions) = try await Self.observe(fleet, parallelism: 3)

        // Only hosts with work keep a session, and kept + probing never passed the parallelism: the
        // hosts probed last (the four without work) made room by evicting the oldest kept ones.
        let keptCount = sessions.keptIds.count
        #expect(keptCount >= 1 && keptCount <= 3)
        #expect(sessions.keptIds.isSubset(of: Set(fleet.instanceIds.prefix(12))))
        #expect(fleet.connector.openSessions == keptCount)
        #expect(fleet.connector.peakOpenSessions <= 3)

        let outcomes = await Executor(cloud: fleet.cloud, sessions: sessions, parallelism: 3)
            .run(Self.planner.plan(Self.plan, observation).actions)
        await sessions.closeAll()
        #expect(outcomes.map(\.status) == Array(repeating: .changed, count: 12) + Array(repeating: .ok, count: 4))
        // The executor takes the kept sessions first, so installs in flight + kept stay within it too.
        #expect(fleet.connector.peakOpenSessions <= 3)
        #expect(fleet.connector.openSessions == 0)
        // Kept hosts reuse the probe's session; the others get exactly one new one.
        #expect(fleet.connector.opens.count == 16 + 12 - keptCount)
        for id in fleet.instanceIds.prefix(12) { #expect(fleet.machines[id]?.commandKinds == [.probe, .install, .probe]) }
        for id in fleet.instanceIds.suffix(4) { #expect(fleet.machines[id]?.commandKinds == [.probe]) }
    }

    @Test func hostsProbedLastKeepTheirSessionsAndTheExecutorStartsWithThem() async throws {
        // Twelve hosts with work, parallelism 4: the last four probed keep theirs (the first eight were evicted).
        let fleet = await FakeFleet.make(Array(repeating: FakePersonality.al2Old, count: 12))
        let (observation, sessions) = try await Self.observe(fleet, parallelism: 4)
        #expect(sessions.keptIds.count == 4)
        #expect(fleet.connector.peakOpenSessions <= 4)
        let started = Mutex<[String]>([])
        let executor = Executor(cloud: fleet.cloud, sessions: sessions, parallelism: 1) { event in
            if case .started(let address) = event { started.withLock { $0.append(address) } }
        }
        let kept = sessions.keptIds
        _ = await executor.run(Self.planner.plan(Self.plan, observation).actions)
        let order = started.withLock { $0 }
        #expect(Set(order.prefix(4)) == Set(kept.map { ResourceAddress.instance(id: $0).description }))
        #expect(fleet.connector.peakOpenSessions <= 4)
        #expect(fleet.connector.opens.count == 12 + 8)
    }

    @Test func hostsWithNothingToDoCloseTheirSessionAfterTheProbe() async throws {
        let fleet = await FakeFleet.make([.al2Current, .al2Current, .conflictSSHDConfig, .sudoPassword])
        let (_, sessions) = try await Self.observe(fleet, parallelism: 10)
        #expect(sessions.keptIds.isEmpty)
        #expect(fleet.connector.openSessions == 0)
    }

    @Test func aKeptSessionThatDiedWhileIdleIsReopenedNotFailed() async throws {
        let fleet = await FakeFleet.make([.al2Old, .ubuntu1804])
        let (observation, sessions) = try await Self.observe(fleet, parallelism: 10)
        #expect(sessions.keptIds == Set(fleet.instanceIds))
        // sshd dropped both idle sessions while the plan was read at the prompt.
        for session in fleet.connector.sessions { await session.drop() }

        let outcomes = await Executor(cloud: fleet.cloud, sessions: sessions).run(Self.planner.plan(Self.plan, observation).actions)
        #expect(outcomes.map(\.status) == [.changed, .changed])
        #expect(fleet.connector.opens.count == 4)
        #expect(fleet.machines[fleet.instanceIds[0]]?.commandKinds == [.probe, .install, .probe])
        #expect(fleet.machines[fleet.instanceIds[1]]?.commandKinds == [.probe, .refresh, .install, .probe])
        #expect(fleet.connector.openSessions == 0)
    }

    @Test func aHostThatCannotBeReachedAgainFailsWithTheReason() async throws {
        let fleet = await FakeFleet.make([.al2Old])
        let (observation, sessions) = try await Self.observe(fleet, parallelism: 1)
        for session in fleet.connector.sessions { await session.drop() }
        fleet.connector.add("127.0.1.1", .failing(HostConnectError(kind: .timeout, message: "connect to 127.0.1.1 port 22: timed out")))

        let outcomes = await Executor(cloud: fleet.cloud, sessions: sessions).run(Self.planner.plan(Self.plan, observation).actions)
        #expect(outcomes.map(\.status) == [.failed])
        guard case .sessionLost(let id, let error) = outcomes.first?.detail else {
            Issue.record("not a lost session: \(String(describing: outcomes.first?.detail))")
            return
        }
        #expect(id == fleet.instanceIds[0] && error.contains("timed out"))
        #expect(fleet.machines[fleet.instanceIds[0]]?.packageCommands.isEmpty == true)
    }
}
