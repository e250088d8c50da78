import EICCore
import Foundation

/// The IAM operations eicsetup uses. Attaching is always additive: there is deliberately no detach here.
public struct IAMClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public func getPolicy(arn: String) async throws(AWSError) -> ManagedPolicy {
        let xml = try await client.query(.iam, "GetPolicy", [QueryItem("PolicyArn", arn)])
        return try Self.policy(xml.first("Policy"), operation: "GetPolicy")
    }

    public func getPolicyVersion(arn: String, versionId: String) async throws(AWSError) -> PolicyVersion {
        let xml = try await client.query(.iam, "GetPolicyVersion", [QueryItem("PolicyArn", arn), QueryItem("VersionId", versionId)])
        guard let version = xml.first("PolicyVersion") else { throw Self.missing("GetPolicyVersion", "PolicyVersion") }
        return Self.version(version)
    }

    public func listPolicyVersions(arn: String) async throws(AWSError) -> [PolicyVersion] {
        try await Pagination.iam(client, "ListPolicyVersions", [QueryItem("PolicyArn", arn)]) { result in
            result.items("Versions", element: "member").map(Self.version)
        }
    }

    public func createPolicy(name: String, document: String, description: String? = nil, tags: [(key: String, value: String)] = [],
                             path: String = "/") async throws(AWSError) -> ManagedPolicy {
        var parameters = [QueryItem("PolicyName", name), QueryItem("PolicyDocument", document), QueryItem("Path", path)]
        if let description { parameters.append(QueryItem("Description", description)) }
        for (index, tag) in tags.enumerated() {
            parameters += [QueryItem("Tags.member.\(index + 1).Key", tag.key), QueryItem("Tags.member.\(index + 1).Value", tag.value)]
        }
        let xml = try await client.query(.iam, "CreatePolicy", parameters)
        return try Self.policy(xml.first("Policy"), operation: "CreatePolicy")
    }

    public func createPolicyVersion(arn: String, document: String, setAsDefault: Bool) async throws(AWSError) -> PolicyVersion {
        let xml = try await client.query(.iam, "CreatePolicyVersion", [
            QueryItem("PolicyArn", arn), QueryItem("PolicyDocument", document),
            QueryItem("SetAsDefault", setAsDefault ? "true" : "false"),
        ])
        guard let version = xml.first("PolicyVersion") else { throw Self.missing("CreatePolicyVersion", "PolicyVersion") }
        return Self.version(version)
    }

    public func deletePolicyVersion(arn: String, versionId: String) async throws(AWSError) {
        _ = try await client.query(.iam, "DeletePolicyVersion", [QueryItem("PolicyArn", arn), QueryItem("VersionId", versionId)])
    }

    /// `Attach{User,Group,Role}Policy`.
    public func attachPolicy(arn: String, to kind: PrincipalKind, name: String) async throws(AWSError) {
        _ = try await client.query(.iam, "Attach\(kind.rawValue)Policy",
                                   [QueryItem("\(kind.rawValue)Name", name), QueryItem("PolicyArn", arn)])
    }

    /// `ListAttached{User,Group,Role}Policies`, every page.
    public func listAttachedPolicies(of kind: PrincipalKind, name: String, pageSize: Int? = nil) async throws(AWSError) -> [AttachedPolicy] {
        var parameters = [QueryItem("\(kind.rawValue)Name", name)]
        if let pageSize { parameters.append(QueryItem("MaxItems", String(pageSize))) }
        return try await Pagination.iam(client, "ListAttached\(kind.rawValue)Policies", parameters) { result in
            result.items("AttachedPolicies", element: "member").map {
                AttachedPolicy(policyArn: $0.string("PolicyArn") ?? "", policyName: $0.string("PolicyName") ?? "")
            }
        }
    }

    /// `GetUser`, `GetGroup` or `GetRole`.
    public func getPrincipal(_ kind: PrincipalKind, name: String) async throws(AWSError) -> IAMPrincipal {
        let xml = try await client.query(.iam, "Get\(kind.rawValue)", [QueryItem("\(kind.rawValue)Name", name)])
        guard let node = xml.first(kind.rawValue), let arn = node.string("Arn") else {
            throw Self.missing("Get\(kind.rawValue)", kind.rawValue)
        }
        return IAMPrincipal(kind: kind, name: node.string("\(kind.rawValue)Name") ?? name, arn: arn,
                            id: node.string("\(kind.rawValue)Id") ?? "")
    }

    static func policy(_ node: XMLNode?, operation: String) throws(AWSError) -> ManagedPolicy {
        guard let node, let arn = node.string("Arn") else { throw missing(operation, "Policy") }
        let tags = node.items("Tags", element: "member").compactMap { tag in
            tag.string("Key").map { Tag(key: $0, value: tag.string("Value") ?? "") }
        }
        return ManagedPolicy(arn: arn, name: node.string("PolicyName") ?? "", policyId: node.string("PolicyId") ?? "",
                             defaultVersionId: node.string("DefaultVersionId") ?? "",
                             attachmentCount: node.string("AttachmentCount").flatMap(Int.init) ?? 0, tags: tags)
    }

    static func version(_ node: XMLNode) -> PolicyVersion {
        // IAM returns documents URL-encoded (RFC 3986).
        let document = node.string("Document").map { $0.removingPercentEncoding ?? $0 }
        return PolicyVersion(versionId: node.string("VersionId") ?? "", isDefault: node.string("IsDefaultVersion") == "true",
                             document: document, createDate: node.string("CreateDate"))
    }

    package static func missing(_ operation: String, _ field: String) -> AWSError {
        AWSError(kind: .malformedResponse, service: "iam", operation: operation, code: "MissingField",
                 message: "no \(field) in the answer")
    }
}
