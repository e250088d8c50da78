import EICAWS
import EICCore
import Foundation
import Testing

/// The chain after the profile (container credentials, then instance metadata) and the refresh of
/// credentials that are about to expire, through `AWSConfiguration.resolve` with an in-memory transport.
@Suite struct CredentialChainOrderTests {
    static let containerURL = "http://127.0.0.1:9/container-creds"
    static let metadataEndpoint = "http://127.0.0.2:9"

    /// Serves container credentials (`AKIACONTAINER<n>`) and IMDSv2 credentials (`AKIAMETADATA<n>`), where n
    /// counts the credential documents served so far; each expires `lifetime` seconds from now.
    static func metadataServers(lifetime: TimeInterval) -> FakeTransport {
        FakeTransport { request, index in
            let expiration = ISO8601DateFormatter().string(from: Date().addingTimeInterval(lifetime))
            let path = request.url.path
            func document(_ prefix: String) -> HTTPResponse {
                FakeTransport.json(#"{"AccessKeyId":"\#(prefix)\#(index)","SecretAccessKey":"s","Token":"t","Expiration":"\#(expiration)"}"#)
            }
            switch (request.method, request.url.absoluteString.hasPrefix(metadataEndpoint), path) {
            case ("GET", false, "/container-creds"): return document("AKIACONTAINER")
            case ("PUT", true, "/latest/api/token"): return FakeTransport.json("token")
            case ("GET", true, "/latest/meta-data/iam/security-credentials"),
                 ("GET", true, "/latest/meta-data/iam/security-credentials/"): return FakeTransport.json("fake-role")
            case ("GET", true, "/latest/meta-data/iam/security-credentials/fake-role"): return document("AKIAMETADATA")
            case ("POST", _, _): return FakeTransport.xml(200, FakeTransport.callerIdentity)  // an AWS call
            default: return HTTPResponse(status: 404, headers: [:], body: [])
            }
        }
    }

    /// An environment with no keys and no shared files, only the two metadata sources (as asked).
    static func environment(container: Bool, metadata: Bool) -> [String: String] {
        let nowhere = "/nonexistent-\(UUID().uuidString)"
        var environment = ["AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": nowhere + "/config",
                           "AWS_SHARED_CREDENTIALS_FILE": nowhere + "/credentials"]
        if container { environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = containerURL }
        if metadata {
            environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadataEndpoint
        } else {
            environment["AWS_EC2_METADATA_DISABLED"] = "true"
        }
        return environment
    }

    static func resolve(_ environment: [String: String], transport: FakeTransport) async throws -> ResolvedCredentials {
        try await AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: nil, environment: environment,
                                           transport: transport).credentials.resolve()
    }

    @Test func containerCredentialsComeBeforeInstanceMetadata() async throws {
        let transport = Self.metadataServers(lifetime: 3600)
        let both = try await Self.resolve(Self.environment(container: true, metadata: true), transport: transport)
        #expect(both.credentials.accessKeyId.hasPrefix("AKIACONTAINER"))
        #expect(both.source == "container credentials (127.0.0.1)")
        #expect(!transport.requests.contains { $0.url.absoluteString.hasPrefix(Self.metadataEndpoint) },
                "instance metadata must not even be asked when container credentials answer")

        let onlyMetadata = try await Self.resolve(Self.environment(container: false, metadata: true), transport: transport)
        #expect(onlyMetadata.credentials.accessKeyId.hasPrefix("AKIAMETADATA"))
        #expect(onlyMetadata.source == "instance profile fake-role (IMDSv2)")
    }

    @Test func aProfileComesBeforeBothMetadataSources() async throws {
        let directory = NSTemporaryDirectory() + "eic-chain-order-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = s\n"
            .write(toFile: directory + "/credentials", atomically: true, encoding: .utf8)
        var environment = Self.environment(container: true, metadata: true)
        environment["AWS_SHARED_CREDENTIALS_FILE"] = directory + "/credentials"
        let transport = Self.metadataServers(lifetime: 3600)
        let resolved = try await Self.resolve(environment, transport: transport)
        #expect(resolved.credentials.accessKeyId == "AKIAPROFILE")
        #expect(transport.requests.isEmpty)
    }

    @Test(arguments: [true, false])
    func credentialsAboutToExpireAreFetchedAgain(container: Bool) async throws {
        // Four minutes left: inside the five-minute margin, so every use fetches fresh credentials.
        let expiring = Self.metadataServers(lifetime: 240)
        let configuration = try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: nil,
                                                         environment: Self.environment(container: container, metadata: !container),
                                                         transport: expiring)
        let first = try await configuration.credentials.resolve().credentials.accessKeyId
        let second = try await configuration.credentials.resolve().credentials.accessKeyId
        #expect(first != second, "credentials expiring in 4 minutes were reused: \(first)")

        // An hour left: fetched once, then served from the cache.
        let fresh = Self.metadataServers(lifetime: 3600)
        let cached = try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: nil,
                                                  environment: Self.environment(container: container, metadata: !container),
                                                  transport: fresh)
        let one = try await cached.credentials.resolve().credentials.accessKeyId
        let two = try await cached.credentials.resolve().credentials.accessKeyId
        #expect(one == two)
        let documents = fresh.requests.filter { $0.url.path.hasSuffix("fake-role") || $0.url.path == "/container-creds" }
        #expect(documents.count == 1)
    }

    @Test func aClientSignsItsNextCallWithRefreshedCredentials() async throws {
        let transport = Self.metadataServers(lifetime: 60)
        let configuration = try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: "http://127.0.0.3:9",
                                                         environment: Self.environment(container: true, metadata: false),
                                                         transport: transport)
        let sts = STSClient(client: configuration.client())
        _ = try await sts.getCallerIdentity()
        _ = try await sts.getCallerIdentity()
        let keyIds = transport.requests.filter { $0.method == "POST" }.compactMap { request in
            request.headers.first { $0.name.lowercased() == "authorization" }?.value
                .split(separator: " ").first { $0.hasPrefix("Credential=") }?.dropFirst("Credential=".count)
                .split(separator: "/").first.map(String.init)
        }
        #expect(keyIds.count == 2)
        #expect(Set(keyIds).count == 2, "the second call was signed with the expiring key again: \(keyIds)")
    }
}
