import Foundation

/// The JSON shape that container and instance-metadata endpoints return.
struct MetadataCredentialDocument: Decodable {
    let AccessKeyId: String
    let SecretAccessKey: String
    let Token: String?
    let Expiration: String?

    var credentials: AWSCredentials {
        AWSCredentials(accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: Token,
                       expiration: Expiration.flatMap { AWSTimestamp.parse($0) })
    }
}

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`,
/// with `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`.
public struct ContainerCredentialProvider: CredentialProvider {
    let environment: [String: String]
    let transport: any HTTPTransport

    public init(environment: [String: String], transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func resolve() async throws(AWSError) -> ResolvedCredentials? {
        let urlString: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            urlString = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            urlString = full
        } else {
            return nil
        }
        guard let url = URL(string: urlString), let host = url.host else {
            throw .credentials("container credentials URI '\(urlString)' is not a URL", code: "InvalidContainerURI")
        }
        // Like the SDKs: plain HTTP only to the ECS/EKS agent addresses or loopback.
        let allowedHosts = ["169.254.170.2", "169.254.170.23", "localhost", "::1", "[::1]"]
        if url.scheme == "http" && !(allowedHosts.contains(host) || host.hasPrefix("127.")) {
            throw .credentials("container credentials URI host \(host) is not allowed over plain HTTP", code: "InvalidContainerURI")
        }
        var headers: [HTTPHeader] = []
        if let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !tokenFile.isEmpty {
            guard let token = FileManager.default.contents(atPath: tokenFile) else {
                throw .credentials("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)", code: "InvalidContainerToken")
            }
            headers.append(HTTPHeader("Authorization", String(decoding: token, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.append(HTTPHeader("Authorization", token))
        }
        let response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers, timeout: 2))
        guard response.status == 200,
              let document = try? JSONDecoder().decode(MetadataCredentialDocument.self, from: Data(response.body)) else {
            throw .credentials("container credentials endpoint answered HTTP \(response.status) without credentials",
                               code: "ContainerCredentialsFailed")
        }
        return ResolvedCredentials(credentials: document.credentials, source: "container credentials (\(host))")
    }
}

/// EC2 instance profile credentials over IMDSv2 (session token first, as AWS recommends).
/// Off when `AWS_EC2_METADATA_DISABLED=true`; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it (tests use loopback).
public struct InstanceMetadataCredentialProvider: CredentialProvider {
    let environment: [String: String]
    let transport: any HTTPTransport

    public init(environment: [String: String], transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func resolve() async throws(AWSError) -> ResolvedCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        let base = (environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254")
            .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard let tokenURL = URL(string: base + "/latest/api/token"),
              let listURL = URL(string: base + "/latest/meta-data/iam/security-credentials/") else {
            throw .credentials("AWS_EC2_METADATA_SERVICE_ENDPOINT '\(base)' is not a URL", code: "InvalidIMDSEndpoint")
        }
        // Off EC2 nothing answers: a short timeout and a nil result (not an error) keep the chain fast.
        guard let tokenResponse = try? await transport.send(HTTPRequest(
            method: "PUT", url: tokenURL, headers: [HTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
            timeout: 1)), tokenResponse.status == 200 else { return nil }
        let tokenHeader = HTTPHeader("X-aws-ec2-metadata-token", tokenResponse.bodyText)
        let list = try await transport.send(HTTPRequest(method: "GET", url: listURL, headers: [tokenHeader], timeout: 1))
        guard list.status == 200,
              let role = list.bodyText.split(whereSeparator: \.isNewline).first.map(String.init),
              let roleURL = URL(string: listURL.absoluteString + role) else { return nil }
        let response = try await transport.send(HTTPRequest(method: "GET", url: roleURL, headers: [tokenHeader], timeout: 1))
        guard response.status == 200,
              let document = try? JSONDecoder().decode(MetadataCredentialDocument.self, from: Data(response.body)) else {
            throw .credentials("instance metadata returned no credentials for role \(role)", code: "IMDSCredentialsFailed")
        }
        return ResolvedCredentials(credentials: document.credentials, source: "instance profile \(role) (IMDSv2)")
    }
}
