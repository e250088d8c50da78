import EICSandbox
import EICAWS
import EICCore
import EICTestSupport
import Foundation
import Testing

/// Every EC2 operation eicsetup uses, against moto with authentication on.
@Suite struct EC2IntegrationTests {
    /// A VPC with one subnet and security group, private to the calling test.
    struct Network {
        let vpcId: String
        let subnetId: String
        let groupId: String
        let imageId: String
    }

    static func network(_ peer: MotoPeer, octet: Int) async throws -> Network {
        let provisioning = EC2Provisioning(client: peer.client())
        let vpc = try await provisioning.createVpc(cidr: "10.\(octet).0.0/16")
        let subnet = try await provisioning.createSubnet(vpcId: vpc, cidr: "10.\(octet).1.0/24", availabilityZone: "us-east-1a")
        let group = try await provisioning.createSecurityGroup(name: "fleet-\(octet)", description: "test fleet", vpcId: vpc)
        let image = try await provisioning.registerImage(name: "amzn2-ami-hvm-2.0.20180810-x86_64-gp2",
                                                         description: "Amazon Linux 2 AMI 2.0.20180810 x86_64 HVM gp2")
        return Network(vpcId: vpc, subnetId: subnet, groupId: group, imageId: image)
    }

    @Test func describeInstancesFollowsNextTokenAcrossPages() async throws {
        let peer = try await MotoPeer.shared()
        let net = try await Self.network(peer, octet: 11)
        let provisioning = EC2Provisioning(client: peer.client())
        var launched: [String] = []
        let fleet = TestNames.unique("paged")
        for index in 1...7 {
            launched.append(try await provisioning.runInstance(
                imageId: net.imageId, subnetId: net.subnetId, privateIp: "10.11.1.\(10 + index)",
                securityGroupIds: [net.groupId], tags: [Tag(key: "Fleet", value: fleet), Tag(key: "Name", value: "web-\(index)")]))
        }
        let metrics = AWSCallMetrics()
        let found = try await EC2Client(client: peer.client(metrics: metrics))
            .describeInstances(filters: [(name: "tag:Fleet", values: [fleet])], pageSize: 5)
        #expect(Set(found.map(\.instanceId)) == Set(launched))
        #expect(await metrics.counts["ec2:DescribeInstances"] == 2, "7 instances at 5 a page need two calls")
        let first = try #require(found.first { $0.instanceId == launched[0] })
        #expect(first.privateIpAddress == "10.11.1.11")
        #expect(first.tag("Name") == "web-1")
        #expect(first.securityGroupIds == [net.groupId])
        #expect(first.imageId == net.imageId)
        #expect(first.state == "running")
    }

    @Test func securityGroupRulesAreAddedOnceAndDuplicatesAreReported() async throws {
        let peer = try await MotoPeer.shared()
        let net = try await Self.network(peer, octet: 12)
        let ec2 = EC2Client(client: peer.client())
        let groups = try await ec2.describeSecurityGroups(ids: [net.groupId])
        #expect(groups.map(\.groupName) == ["fleet-12"])
        #expect(groups.first?.vpcId == net.vpcId)

        let ssh = IngressPermission(fromPort: 22, toPort: 22, source: .cidrIpv4("18.206.107.24/29"), description: "EIC us-east-1")
        let ruleIds = try await ec2.authorizeSecurityGroupIngress(groupId: net.groupId, permissions: [ssh])
        #expect(ruleIds.count == 1)
        let rules = try await ec2.describeSecurityGroupRules(groupIds: [net.groupId])
        let ingress = rules.filter { !$0.isEgress }
        #expect(ingress.contains { $0.cidrIpv4 == "18.206.107.24/29" && $0.fromPort == 22 && $0.toPort == 22 && $0.ipProtocol == "tcp" })
        do {
            try await ec2.authorizeSecurityGroupIngress(groupId: net.groupId, permissions: [ssh])
            Issue.record("a duplicate rule was accepted silently")
        } catch {
            #expect(error.code == "InvalidPermission.Duplicate")
        }
    }

    @Test func imagesAndPrefixListsAreDescribed() async throws {
        let peer = try await MotoPeer.shared()
        let net = try await Self.network(peer, octet: 13)
        let ec2 = EC2Client(client: peer.client())
        let images = try await ec2.describeImages(ids: [net.imageId])
        #expect(images.map(\.name) == ["amzn2-ami-hvm-2.0.20180810-x86_64-gp2"])
        let lists = try await ec2.describeManagedPrefixLists(names: [])
        #expect(!lists.isEmpty, "moto ships the AWS-managed prefix lists")
        let firstName = try #require(lists.first?.name)
        let filtered = try await ec2.describeManagedPrefixLists(names: [firstName])
        #expect(filtered.map(\.name) == [firstName])
    }

    @Test func anUnknownInstanceIsAnErrorWithTheAWSCode() async throws {
        let peer = try await MotoPeer.shared()
        do {
            _ = try await EC2Client(client: peer.client()).describeInstances(ids: ["i-0123456789abcdef0"])
            Issue.record("an unknown instance id was accepted")
        } catch {
            #expect(error.code == "InvalidInstanceID.NotFound")
            #expect(error.httpStatus == 400)
            #expect(error.attempts == 1)
        }
    }
}
