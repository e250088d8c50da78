import EICAWS
import EICCore

/// IAM calls that create identities. eicsetup itself never creates users or keys; the sandbox and the
/// integration tests do, to get an admin and an `eic-user` with their own access keys.
public struct IAMProvisioning: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// Creates user `name` with an inline policy and an access key; returns the key.
    public func createUserWithKey(name: String, inlinePolicy: String? = nil) async throws(AWSError) -> AWSCredentials {
        _ = try await client.query(.iam, "CreateUser", [QueryItem("UserName", name)])
        if let inlinePolicy {
            _ = try await client.query(.iam, "PutUserPolicy", [
                QueryItem("UserName", name), QueryItem("PolicyName", "\(name)-inline"), QueryItem("PolicyDocument", inlinePolicy),
            ])
        }
        let xml = try await client.query(.iam, "CreateAccessKey", [QueryItem("UserName", name)])
        guard let key = xml.first("AccessKey"), let keyId = key.string("AccessKeyId"),
              let secret = key.string("SecretAccessKey") else {
            throw IAMClient.missing("CreateAccessKey", "AccessKey")
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret)
    }

    public func createRole(name: String, trustPolicy: String) async throws(AWSError) {
        _ = try await client.query(.iam, "CreateRole", [QueryItem("RoleName", name), QueryItem("AssumeRolePolicyDocument", trustPolicy)])
    }

    public func createGroup(name: String) async throws(AWSError) {
        _ = try await client.query(.iam, "CreateGroup", [QueryItem("GroupName", name)])
    }
}
