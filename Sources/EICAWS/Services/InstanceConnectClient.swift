import Foundation

/// EC2 Instance Connect (JSON 1.1): push a public key for 60 seconds.
public struct InstanceConnectClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public struct SendResult: Sendable, Equatable {
        public let requestId: String
        public let success: Bool
    }

    public func sendSSHPublicKey(instanceId: String, osUser: String, publicKey: String,
                                 availabilityZone: String? = nil) async throws(AWSError) -> SendResult {
        struct Request: Encodable {
            let InstanceId: String
            let InstanceOSUser: String
            let SSHPublicKey: String
            let AvailabilityZone: String?
        }
        struct Response: Decodable {
            let RequestId: String?
            let Success: Bool?
        }
        let body: Data
        do {
            body = try JSONEncoder().encode(Request(InstanceId: instanceId, InstanceOSUser: osUser,
                                                    SSHPublicKey: publicKey, AvailabilityZone: availabilityZone))
        } catch {
            throw AWSError(kind: .configuration, service: "ec2-instance-connect", operation: "SendSSHPublicKey",
                           code: "EncodingFailed", message: "could not encode the request")
        }
        let answer = try await client.json(.ec2InstanceConnect, targetPrefix: "AWSEC2InstanceConnectService",
                                           "SendSSHPublicKey", body: Array(body))
        guard let response = try? JSONDecoder().decode(Response.self, from: Data(answer)) else {
            throw AWSError(kind: .malformedResponse, service: "ec2-instance-connect", operation: "SendSSHPublicKey",
                           code: "MalformedJSON", message: "the answer was not the expected JSON")
        }
        return SendResult(requestId: response.RequestId ?? "", success: response.Success ?? false)
    }
}
