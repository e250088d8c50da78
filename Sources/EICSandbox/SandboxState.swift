import EICAWS
import Foundation

/// Everything `up` created, saved as JSON (mode 0600: it holds the sandbox's own access keys) so that
/// `down`, `status` and `env` work from any later process.
public struct SandboxState: Codable, Sendable {
    public struct AccessKey: Codable, Sendable {
        public let accessKeyId: String
        public let secretAccessKey: String
    }

    public struct Instance: Codable, Sendable {
        public let instanceId: String
        public let ipAddress: String
        /// The name of its row in sandbox/personalities.tsv.
        public let personality: String
        public let loginUser: String
        public let rootDirectory: String
        /// The instance's long-lived process (its mount namespace's first process).
        public var pid: Int32
    }

    public var stateDirectory: String
    public var endpoint: String
    public var region: String
    public var accountId: String
    public var awsdPid: Int32
    public var admin: AccessKey
    public var eicUser: AccessKey
    public var fleetKeyPath: String
    public var knownHostsPath: String
    public var securityGroupId: String
    public var vpcId: String
    public var faults: String?
    public var createdAt: Date
    public var instances: [Instance]

    static func path(in directory: String) -> String { directory + "/state.json" }

    func save() throws(SandboxError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do {
            let data = try encoder.encode(self)
            let path = Self.path(in: stateDirectory)
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw .state("cannot save \(Self.path(in: stateDirectory)): \(error.localizedDescription)")
        }
    }

    /// The saved state, or nil if there is none.
    public static func load(from directory: String) throws(SandboxError) -> SandboxState? {
        let path = Self.path(in: directory)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(SandboxState.self, from: data)
        } catch {
            throw .state("\(path) is unreadable (\(error.localizedDescription)); remove the directory by hand after "
                         + "stopping any sandbox processes")
        }
    }

    /// Credentials of the admin or of eic-user, for clients and `sandbox env`.
    public func credentials(asEICUser: Bool) -> AWSCredentials {
        let key = asEICUser ? eicUser : admin
        return AWSCredentials(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey)
    }
}
