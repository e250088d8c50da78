import EICCore
import Foundation

/// How the sandbox is doing right now, for `sandbox status`.
public struct SandboxStatus: Codable, Sendable {
    public struct InstanceStatus: Codable, Sendable {
        public let instanceId: String
        public let ipAddress: String
        public let personality: String
        public let loginUser: String
        public let running: Bool
        public let sshListening: Bool
        /// Proportional memory (PSS) of every process in the instance's namespace (sshd, sessions), KiB.
        public let memoryKiB: Int
    }

    public let stateDirectory: String
    public let endpoint: String
    public let awsRunning: Bool
    public let instances: [InstanceStatus]
    public var totalInstanceKiB: Int { instances.reduce(0) { $0 + $1.memoryKiB } }
}

extension Sandbox {
    public static func status(stateDirectory: String) throws(SandboxError) -> SandboxStatus {
        guard let state = try SandboxState.load(from: stateDirectory) else { throw .notUp(stateDirectory: stateDirectory) }
        let memory = ProcessTable.memoryKiBByNamespace()
        let instances = state.instances.map { instance in
            let running = ProcessTable.isRunning(instance.pid, marker: instanceMarker)
            let namespace = running ? ProcessTable.mountNamespace(instance.pid) : nil
            return SandboxStatus.InstanceStatus(
                instanceId: instance.instanceId, ipAddress: instance.ipAddress, personality: instance.personality,
                loginUser: instance.loginUser, running: running,
                sshListening: running && Loopback.isListening(host: instance.ipAddress, port: 22),
                memoryKiB: namespace.flatMap { memory[$0] } ?? 0)
        }
        return SandboxStatus(stateDirectory: stateDirectory, endpoint: state.endpoint,
                             awsRunning: ProcessTable.isRunning(state.awsdPid, marker: awsdMarker), instances: instances)
    }

    /// `export` lines for a shell: the endpoint, region, keys of the admin (or eic-user), and the fleet's files.
    public static func environmentExports(_ state: SandboxState, asEICUser: Bool) -> String {
        environment(state, asEICUser: asEICUser).map { "export \($0.0)=\(ShellQuote.quote($0.1))" }.joined(separator: "\n") + "\n"
            + "unset AWS_PROFILE AWS_SESSION_TOKEN\n"
    }

    /// The variables `environmentExports` sets, as name–value pairs (for programs started without a shell).
    public static func environment(_ state: SandboxState, asEICUser: Bool) -> [(String, String)] {
        let credentials = state.credentials(asEICUser: asEICUser)
        return [
            ("AWS_ENDPOINT_URL", state.endpoint),
            ("AWS_REGION", state.region),
            ("AWS_DEFAULT_REGION", state.region),
            ("AWS_ACCESS_KEY_ID", credentials.accessKeyId),
            ("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_PAGER", ""),
            ("EICSETUP_SANDBOX_DIR", state.stateDirectory),
            ("EICSETUP_SANDBOX_KEY", state.fleetKeyPath),
            ("EICSETUP_SANDBOX_KNOWN_HOSTS", state.knownHostsPath),
            // `cidr: "auto"` asks the sandbox, not the internet, for the operator's address.
            ("EICSETUP_CHECKIP_URL", state.endpoint + "/_sandbox/checkip"),
        ]
    }
}
