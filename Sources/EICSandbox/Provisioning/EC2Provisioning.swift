import EICAWS
import EICCore
import Foundation

/// EC2 calls that build infrastructure. eicsetup's plans never create VPCs or instances; the sandbox and
/// the integration tests use these to build the fleet that plans then run against.
public struct EC2Provisioning: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public func createVpc(cidr: String) async throws(AWSError) -> String {
        let xml = try await client.query(.ec2, "CreateVpc", [QueryItem("CidrBlock", cidr)])
        return try Self.required(xml.string("vpc/vpcId"), "CreateVpc", "vpcId")
    }

    public func createSubnet(vpcId: String, cidr: String, availabilityZone: String) async throws(AWSError) -> String {
        let xml = try await client.query(.ec2, "CreateSubnet", [
            QueryItem("VpcId", vpcId), QueryItem("CidrBlock", cidr), QueryItem("AvailabilityZone", availabilityZone),
        ])
        return try Self.required(xml.string("subnet/subnetId"), "CreateSubnet", "subnetId")
    }

    public func createSecurityGroup(name: String, description: String, vpcId: String) async throws(AWSError) -> String {
        let xml = try await client.query(.ec2, "CreateSecurityGroup", [
            QueryItem("GroupName", name), QueryItem("GroupDescription", description), QueryItem("VpcId", vpcId),
        ])
        return try Self.required(xml.string("groupId"), "CreateSecurityGroup", "groupId")
    }

    /// Registers an AMI with an AWS-style name and description (moto keeps them for DescribeImages).
    public func registerImage(name: String, description: String) async throws(AWSError) -> String {
        let xml = try await client.query(.ec2, "RegisterImage", [
            QueryItem("Name", name), QueryItem("Description", description), QueryItem("Architecture", "x86_64"),
            QueryItem("RootDeviceName", "/dev/xvda"), QueryItem("VirtualizationType", "hvm"),
        ])
        return try Self.required(xml.string("imageId"), "RegisterImage", "imageId")
    }

    public func importKeyPair(name: String, publicKey: String) async throws(AWSError) {
        _ = try await client.query(.ec2, "ImportKeyPair", [
            QueryItem("KeyName", name), QueryItem("PublicKeyMaterial", Data(publicKey.utf8).base64EncodedString()),
        ])
    }

    /// Launches one instance with a fixed private IP, security groups and tags; returns its id.
    public func runInstance(imageId: String, subnetId: String, privateIp: String?, securityGroupIds: [String],
                            keyName: String? = nil, tags: [Tag]) async throws(AWSError) -> String {
        var parameters = [QueryItem("ImageId", imageId), QueryItem("MinCount", "1"), QueryItem("MaxCount", "1"),
                          QueryItem("SubnetId", subnetId), QueryItem("InstanceType", "t3.micro")]
        if let privateIp { parameters.append(QueryItem("PrivateIpAddress", privateIp)) }
        if let keyName { parameters.append(QueryItem("KeyName", keyName)) }
        parameters.appendList("SecurityGroupId", securityGroupIds)
        if !tags.isEmpty {
            parameters.append(QueryItem("TagSpecification.1.ResourceType", "instance"))
            for (index, tag) in tags.enumerated() {
                parameters.append(QueryItem("TagSpecification.1.Tag.\(index + 1).Key", tag.key))
                parameters.append(QueryItem("TagSpecification.1.Tag.\(index + 1).Value", tag.value))
            }
        }
        let xml = try await client.query(.ec2, "RunInstances", parameters)
        return try Self.required(xml.items("instancesSet").first?.string("instanceId"), "RunInstances", "instanceId")
    }

    static func required(_ value: String?, _ operation: String, _ field: String) throws(AWSError) -> String {
        guard let value, !value.isEmpty else {
            throw AWSError(kind: .malformedResponse, service: "ec2", operation: operation, code: "MissingField",
                           message: "no \(field) in the answer")
        }
        return value
    }
}
