import EICCore
import Foundation

/// STS: who am I, and role assumption for profiles with `role_arn`.
public struct STSClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public func getCallerIdentity() async throws(AWSError) -> CallerIdentity {
        let xml = try await client.query(.sts, "GetCallerIdentity")
        guard let result = xml.child("GetCallerIdentityResult"), let arn = result.string("Arn"),
              let account = result.string("Account") else {
            throw AWSError(kind: .malformedResponse, service: "sts", operation: "GetCallerIdentity",
                           code: "MissingField", message: "no Arn/Account in the answer")
        }
        return CallerIdentity(account: account, arn: arn, userId: result.string("UserId") ?? "")
    }

    public func assumeRole(roleArn: String, sessionName: String, externalId: String? = nil,
                           durationSeconds: Int = 3600) async throws(AWSError) -> AWSCredentials {
        var parameters = [QueryItem("RoleArn", roleArn), QueryItem("RoleSessionName", sessionName),
                          QueryItem("DurationSeconds", String(durationSeconds))]
        if let externalId { parameters.append(QueryItem("ExternalId", externalId)) }
        let xml = try await client.query(.sts, "AssumeRole", parameters)
        guard let credentials = xml.first("Credentials"), let keyId = credentials.string("AccessKeyId"),
              let secret = credentials.string("SecretAccessKey") else {
            throw AWSError(kind: .malformedResponse, service: "sts", operation: "AssumeRole",
                           code: "MissingField", message: "no Credentials in the answer")
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret,
                              sessionToken: credentials.string("SessionToken"),
                              expiration: credentials.string("Expiration").flatMap { AWSTimestamp.parse($0) })
    }
}
