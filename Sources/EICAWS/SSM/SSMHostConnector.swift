import EICCore

/// The `HostConnector` for SSM targets: nothing to connect — the observer already knows the agent is
/// online — so `open` hands out a host whose commands go through the shared batcher.
public struct SSMHostConnector: HostConnector {
    public let batcher: SSMCommandBatcher

    public init(batcher: SSMCommandBatcher) {
        self.batcher = batcher
    }

    public func open(_ target: HostTarget) async throws -> any RemoteHost {
        guard target.transport == .ssm, let instanceId = target.instanceId else {
            throw HostConnectError(kind: .session, message: "\(target.displayName) is not an SSM target")
        }
        return SSMRemoteHost(instanceId: instanceId, batcher: batcher, defaultTimeoutSeconds: target.commandTimeoutSeconds)
    }
}

/// One instance under Run Command. Commands run as root through the agent; there is no session to
/// keep or close, and no standard input.
public struct SSMRemoteHost: RemoteHost {
    public let instanceId: String
    let batcher: SSMCommandBatcher
    let defaultTimeoutSeconds: Int

    public var displayName: String { "ssm:\(instanceId)" }

    public func run(_ command: RemoteCommand, stdin: [UInt8]) async throws -> CommandResult {
        try await run(command, stdin: stdin, timeoutSeconds: defaultTimeoutSeconds)
    }

    public func run(_ command: RemoteCommand, stdin: [UInt8], timeoutSeconds: Int) async throws -> CommandResult {
        guard stdin.isEmpty else {
            throw HostError.commandNotRun(reason: "SSM Run Command cannot feed standard input to a command")
        }
        return try await batcher.run(command, on: instanceId, timeoutSeconds: timeoutSeconds)
    }
}
