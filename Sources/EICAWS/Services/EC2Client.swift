import EICCore

/// The EC2 operations eicsetup uses (Query protocol, XML answers).
public struct EC2Client: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// All instances matching `ids` and `filters` (DescribeInstances syntax), across every page.
    public func describeInstances(ids: [String] = [], filters: [(name: String, values: [String])] = [],
                                  pageSize: Int? = nil) async throws(AWSError) -> [CloudInstance] {
        var parameters: [QueryItem] = []
        parameters.appendList("InstanceId", ids)
        parameters.appendFilters(filters)
        if let pageSize { parameters.append(QueryItem("MaxResults", String(pageSize))) }
        return try await Pagination.ec2(client, "DescribeInstances", parameters, skipping: Self.unreadInstanceParts) { xml in
            xml.items("reservationSet").flatMap { $0.items("instancesSet") }.map(Self.instance)
        }
    }

    /// Parts of a DescribeInstances item that `instance(_:)` never reads, left out while parsing: most of
    /// the answer (each network interface repeats the groups, addresses and attachment). None of these
    /// names occurs on a path `instance(_:)` reads.
    static let unreadInstanceParts: Set<String> = [
        "networkInterfaceSet", "blockDeviceMapping", "productCodes", "monitoring", "cpuOptions",
        "capacityReservationSpecification", "hibernationOptions", "metadataOptions", "enclaveOptions",
        "maintenanceOptions", "privateDnsNameOptions", "stateReason", "iamInstanceProfile", "licenseSet",
        "elasticGpuAssociationSet", "elasticInferenceAcceleratorAssociationSet",
    ]

    public func describeSecurityGroups(ids: [String]) async throws(AWSError) -> [SecurityGroup] {
        var parameters: [QueryItem] = []
        parameters.appendList("GroupId", ids)
        return try await Pagination.ec2(client, "DescribeSecurityGroups", parameters) { xml in
            xml.items("securityGroupInfo").map {
                SecurityGroup(groupId: $0.string("groupId") ?? "", groupName: $0.string("groupName") ?? "",
                              vpcId: $0.string("vpcId"), description: $0.string("groupDescription") ?? "")
            }
        }
    }

    /// Every rule of the given groups in one paginated listing (filter `group-id`).
    public func describeSecurityGroupRules(groupIds: [String], pageSize: Int? = nil) async throws(AWSError) -> [SecurityGroupRule] {
        var parameters: [QueryItem] = []
        parameters.appendFilters([(name: "group-id", values: groupIds)])
        if let pageSize { parameters.append(QueryItem("MaxResults", String(pageSize))) }
        return try await Pagination.ec2(client, "DescribeSecurityGroupRules", parameters) { xml in
            xml.items("securityGroupRuleSet").map(Self.rule)
        }
    }

    /// Adds ingress permissions; returns the new rule ids. `InvalidPermission.Duplicate` is left to the caller,
    /// which treats it as "already converged".
    @discardableResult
    public func authorizeSecurityGroupIngress(groupId: String, permissions: [IngressPermission]) async throws(AWSError) -> [String] {
        var parameters = [QueryItem("GroupId", groupId)]
        for (index, permission) in permissions.enumerated() {
            let prefix = "IpPermissions.\(index + 1)"
            parameters.append(QueryItem("\(prefix).IpProtocol", permission.ipProtocol))
            parameters.append(QueryItem("\(prefix).FromPort", String(permission.fromPort)))
            parameters.append(QueryItem("\(prefix).ToPort", String(permission.toPort)))
            let (list, field): (String, String)
            let value: String
            switch permission.source {
            case .cidrIpv4(let cidr): (list, field, value) = ("IpRanges", "CidrIp", cidr)
            case .cidrIpv6(let cidr): (list, field, value) = ("Ipv6Ranges", "CidrIpv6", cidr)
            case .prefixList(let id): (list, field, value) = ("PrefixListIds", "PrefixListId", id)
            }
            parameters.append(QueryItem("\(prefix).\(list).1.\(field)", value))
            if let description = permission.description {
                parameters.append(QueryItem("\(prefix).\(list).1.Description", description))
            }
        }
        let xml = try await client.query(.ec2, "AuthorizeSecurityGroupIngress", parameters)
        return xml.items("securityGroupRuleSet").compactMap { $0.string("securityGroupRuleId") }
    }

    public func describeManagedPrefixLists(names: [String]) async throws(AWSError) -> [ManagedPrefixList] {
        var parameters: [QueryItem] = []
        if !names.isEmpty { parameters.appendFilters([(name: "prefix-list-name", values: names)]) }
        return try await Pagination.ec2(client, "DescribeManagedPrefixLists", parameters) { xml in
            xml.items("prefixListSet").map {
                ManagedPrefixList(prefixListId: $0.string("prefixListId") ?? "", name: $0.string("prefixListName") ?? "")
            }
        }
    }

    public func describeImages(ids: [String]) async throws(AWSError) -> [MachineImage] {
        var parameters: [QueryItem] = []
        parameters.appendList("ImageId", ids)
        return try await Pagination.ec2(client, "DescribeImages", parameters) { xml in
            xml.items("imagesSet").map {
                MachineImage(imageId: $0.string("imageId") ?? "", name: $0.string("name"),
                             description: $0.string("description"), platformDetails: $0.string("platformDetails"),
                             creationDate: $0.string("creationDate"))
            }
        }
    }

    static func instance(_ item: XMLNode) -> CloudInstance {
        CloudInstance(
            instanceId: item.string("instanceId") ?? "",
            state: item.string("instanceState/name") ?? "unknown",
            imageId: item.string("imageId") ?? "",
            privateIpAddress: item.string("privateIpAddress").flatMap { $0.isEmpty ? nil : $0 },
            publicIpAddress: item.string("ipAddress").flatMap { $0.isEmpty ? nil : $0 },
            availabilityZone: item.string("placement/availabilityZone"),
            platformDetails: item.string("platformDetails"),
            keyName: item.string("keyName"),
            vpcId: item.string("vpcId"),
            subnetId: item.string("subnetId"),
            securityGroupIds: item.items("groupSet").compactMap { $0.string("groupId") },
            tags: item.items("tagSet").map { Tag(key: $0.string("key") ?? "", value: $0.string("value") ?? "") })
    }

    static func rule(_ item: XMLNode) -> SecurityGroupRule {
        SecurityGroupRule(
            ruleId: item.string("securityGroupRuleId") ?? "",
            groupId: item.string("groupId") ?? "",
            isEgress: item.string("isEgress") == "true",
            ipProtocol: item.string("ipProtocol") ?? "",
            fromPort: item.string("fromPort").flatMap(Int.init),
            toPort: item.string("toPort").flatMap(Int.init),
            cidrIpv4: item.string("cidrIpv4"),
            cidrIpv6: item.string("cidrIpv6"),
            prefixListId: item.string("prefixListId"),
            description: item.string("description"))
    }
}
