import Testing
@testable import EICCore

/// The transport seam (issue 21) on fakes: which hosts the observer reaches through Run Command, what the
/// plan says where no agent is online, and that apply installs over each host's own transport.
@Suite struct ObserverTransportTests {
    static let planner = Planner(templates: FakeFleet.templates)

    static func plan(_ transport: TransportChoice) -> PlanFile {
        var plan = FakeFleet.plan(iam: false, securityGroups: false)
        plan.instances?.transport = transport
        return plan
    }

    static func agentCalls(_ cloud: FakeCloud) async -> Int {
        await cloud.calls.filter { $0.name == "ssm:DescribeInstanceInformation" }.count
    }

    @Test func autoUsesRunCommandWhereTheAgentIsOnlineAndSSHElsewhere() async throws {
        let fleet = await FakeFleet.make([.al2Old, .al2Old, .ubuntu1804])
        // The first instance's launch key is gone (SSH refused); its agent runs commands as root.
        let ssmOnly = fleet.instanceIds[0]
        var state = try #require(FakePersonality.al2Old.state)
        state.access = .root
        let agentSide = FakeMachine("al2-old-over-ssm", state)
        fleet.connector.add(ssmOnly, .machine(agentSide, loginUser: "root"))
        fleet.connector.add("127.0.1.1", .failing(HostConnectError(kind: .authentication, message: "the launch key was refused")))
        await fleet.cloud.setAgent(.online, for: ssmOnly)
        await fleet.cloud.setAgent(.connectionLost, for: fleet.instanceIds[1])

        let sessions = HostSessions(connector: fleet.connector, limit: 10) { Planner.needsHostCommands($0, Self.plan(.auto).instances ?? InstancesSection(select: InstanceSelection())) }
        let observation = try await fleet.observer().observe(Self.plan(.auto), region: "us-east-1", into: sessions)
        #expect(observation.instances.map { $0.target?.transport } == [.ssm, .ssh, .ssh])
        #expect(await Self.agentCalls(fleet.cloud) == 1)
        let actions = Self.planner.plan(Self.plan(.auto), observation).actions.filter { $0.kind == .instance }
        #expect(actions.map(\.change) == [.create, .create, .create])
        // Run Command runs as root: no sudo in the SSM host's install.
        if case .onboardHost(_, _, let useSudo, _) = actions[0].operation { #expect(!useSudo) } else { Issue.record("no install planned") }

        let outcomes = await Executor(cloud: fleet.cloud, sessions: sessions).run(actions)
        await sessions.closeAll()
        #expect(outcomes.map(\.status) == [.changed, .changed, .changed], "\(outcomes)")
        #expect(agentSide.commandKinds == [.probe, .install, .probe])
        #expect(fleet.connector.opens.filter { $0.transport == .ssm }.allSatisfy { $0.instanceId == ssmOnly })
    }

    @Test func ssmReportsMissingOrLostAgentsAsUnreachableWithoutTryingSSH() async throws {
        let fleet = await FakeFleet.make([.al2Old, .ubuntu1804])
        await fleet.cloud.setAgent(.connectionLost, for: fleet.instanceIds[0])
        let observation = try await fleet.observer().observe(Self.plan(.ssm), region: "us-east-1")
        let actions = Self.planner.plan(Self.plan(.ssm), observation).actions.filter { $0.kind == .instance }
        #expect(actions.map(\.change) == [.unreachable, .unreachable])
        #expect(actions.map(\.reason) == [.agentUnavailable(.connectionLost), .agentUnavailable(nil)])
        #expect(fleet.connector.opens.isEmpty, "SSH was tried under transport ssm")
    }

    @Test func sshPlansNeverAskForAgents() async throws {
        let fleet = await FakeFleet.make([.al2Old])
        _ = try await fleet.observer().observe(Self.plan(.ssh), region: "us-east-1")
        #expect(await Self.agentCalls(fleet.cloud) == 0)
    }
}
