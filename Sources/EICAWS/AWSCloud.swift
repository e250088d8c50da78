import EICCore
import Foundation

/// The `CloudAPI` port over the AWS service clients. Every `AWSError` becomes a `CloudError` whose
/// kind the core can branch on, keeping the original as its cause.
public struct AWSCloud: CloudAPI {
    public let ec2: EC2Client
    public let iam: IAMClient
    public let sts: STSClient
    public let instanceConnect: InstanceConnectClient
    public let ssm: SSMClient

    public init(client: AWSClient) {
        ec2 = EC2Client(client: client)
        iam = IAMClient(client: client)
        sts = STSClient(client: client)
        instanceConnect = InstanceConnectClient(client: client)
        ssm = SSMClient(client: client)
    }

    public func callerIdentity() async throws -> CallerIdentity {
        try await mapped { () async throws(AWSError) in try await sts.getCallerIdentity() }
    }

    public func instances(_ selection: InstanceSelection) async throws -> [CloudInstance] {
        try await mapped { () async throws(AWSError) in
            // Pages of 1,000 (EC2's maximum): one call for fleets up to 1,000 instances. Without MaxResults
            // a server may page at will (moto: 100 reservations). EC2 refuses MaxResults with InstanceIds.
            try await ec2.describeInstances(ids: selection.ids, filters: selection.describeFilters,
                                            pageSize: selection.ids.isEmpty ? 1000 : nil)
        }
    }

    public func images(ids: [String]) async throws -> [MachineImage] {
        try await mapped { () async throws(AWSError) in try await ec2.describeImages(ids: ids) }
    }

    public func securityGroups(ids: [String]) async throws -> [String] {
        try await mapped { () async throws(AWSError) in try await ec2.describeSecurityGroups(ids: ids).map(\.groupId) }
    }

    public func securityGroupRules(groupIds: [String]) async throws -> [SecurityGroupRule] {
        try await mapped { () async throws(AWSError) in try await ec2.describeSecurityGroupRules(groupIds: groupIds) }
    }

    public func prefixLists(names: [String]) async throws -> [ManagedPrefixList] {
        try await mapped { () async throws(AWSError) in try await ec2.describeManagedPrefixLists(names: names) }
    }

    public func authorizeIngress(groupId: String, permissions: [IngressPermission]) async throws {
        try await mapped { () async throws(AWSError) in _ = try await ec2.authorizeSecurityGroupIngress(groupId: groupId, permissions: permissions) }
    }

    public func policy(arn: String) async throws -> ManagedPolicy? {
        do {
            return try await mapped { () async throws(AWSError) in try await iam.getPolicy(arn: arn) }
        } catch let error as CloudError where error.kind == .notFound {
            return nil
        }
    }

    public func policyVersion(arn: String, versionId: String) async throws -> PolicyVersion {
        try await mapped { () async throws(AWSError) in try await iam.getPolicyVersion(arn: arn, versionId: versionId) }
    }

    public func policyVersions(arn: String) async throws -> [PolicyVersion] {
        try await mapped { () async throws(AWSError) in try await iam.listPolicyVersions(arn: arn) }
    }

    public func createPolicy(name: String, document: String, description: String?, tags: [Tag]) async throws -> ManagedPolicy {
        try await mapped { () async throws(AWSError) in
            try await iam.createPolicy(name: name, document: document, description: description, tags: tags.map { ($0.key, $0.value) })
        }
    }

    public func createPolicyVersion(arn: String, document: String, setAsDefault: Bool) async throws -> PolicyVersion {
        try await mapped { () async throws(AWSError) in try await iam.createPolicyVersion(arn: arn, document: document, setAsDefault: setAsDefault) }
    }

    public func deletePolicyVersion(arn: String, versionId: String) async throws {
        try await mapped { () async throws(AWSError) in try await iam.deletePolicyVersion(arn: arn, versionId: versionId) }
    }

    public func attachedPolicies(of principal: PrincipalRef) async throws -> [AttachedPolicy]? {
        do {
            return try await mapped { () async throws(AWSError) in try await iam.listAttachedPolicies(of: principal.kind, name: principal.name) }
        } catch let error as CloudError where error.kind == .notFound {
            return nil
        }
    }

    public func attachPolicy(arn: String, to principal: PrincipalRef) async throws {
        try await mapped { () async throws(AWSError) in try await iam.attachPolicy(arn: arn, to: principal.kind, name: principal.name) }
    }

    public func sendSSHPublicKey(instanceId: String, osUser: String, publicKey: String, availabilityZone: String?) async throws {
        try await mapped { () async throws(AWSError) in
            _ = try await instanceConnect.sendSSHPublicKey(instanceId: instanceId, osUser: osUser, publicKey: publicKey,
                                                           availabilityZone: availabilityZone)
        }
    }

    public func agents(instanceIds: [String]) async throws -> [String: AgentState] {
        try await mapped { () async throws(AWSError) in
            // PingStatus is Online, ConnectionLost or Inactive; anything newer counts as not reachable.
            try await ssm.describeInstanceInformation(instanceIds: instanceIds).mapValues { AgentState(rawValue: $0) ?? .inactive }
        }
    }

    private func mapped<T>(_ body: () async throws(AWSError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Self.cloudError(error)
        }
    }

    /// The core's view of an AWS error.
    public static func cloudError(_ error: AWSError) -> CloudError {
        let kind: CloudError.Kind
        switch error.code {
        case "NoSuchEntity", "InvalidGroup.NotFound", "InvalidInstanceID.NotFound", "InvalidPrefixListID.NotFound": kind = .notFound
        case "EntityAlreadyExists": kind = .alreadyExists
        case "InvalidPermission.Duplicate": kind = .duplicate
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation": kind = .accessDenied
        case "LimitExceeded", "RulesPerSecurityGroupLimitExceeded": kind = .limitExceeded
        case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException": kind = .throttled
        default: kind = error.kind == .transport ? .transport : .other
        }
        return CloudError(kind: kind, operation: "\(error.service):\(error.operation)", code: error.code, cause: error)
    }
}

/// Reads ip-ranges.json and the operator's address: http(s) with a deadline for the whole exchange and
/// a cap on the answer (no credentials sent), anything else as a local file.
public struct HTTPResourceFetcher: ResourceFetcher {
    /// Seconds for the whole GET (connect, headers and body), the figure the error message names.
    let timeout: TimeInterval

    public init(timeout: TimeInterval = 30) {
        self.timeout = timeout
    }

    public func fetch(_ location: String) async throws -> [UInt8] {
        try await fetch(location, maxBytes: defaultResourceLimit)
    }

    public func fetch(_ location: String, maxBytes: Int) async throws -> [UInt8] {
        if location.hasPrefix("http://") || location.hasPrefix("https://") {
            guard let url = URL(string: location) else {
                throw AWSError(kind: .configuration, service: "fetch", operation: "GET", code: "BadURL", message: "\(location) is not a URL")
            }
            func failed(_ code: String, _ message: String, status: Int? = nil) -> AWSError {
                AWSError(kind: status == nil ? .transport : .service, service: "fetch", operation: "GET \(location)", code: code,
                         message: message, httpStatus: status)
            }
            switch await HTTPClient.shared.send(HTTPRequest(method: "GET", url: url, timeout: timeout), bodyLimit: maxBytes) {
            case .failure(.tooLarge): throw failed("TooLarge", "the answer is larger than \(maxBytes) bytes")
            case .failure(.timeout): throw failed("Timeout", "no complete answer within \(Int(timeout)) s")
            case .failure(let problem): throw failed("TransportError", problem.description)
            case .success(let answer):
                guard (200..<300).contains(answer.status) else {
                    throw failed("HTTP\(answer.status)", "the server answered HTTP \(answer.status)", status: answer.status)
                }
                return answer.body
            }
        }
        let path = location.hasPrefix("~/") ? NSHomeDirectory() + location.dropFirst() : location
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AWSError(kind: .configuration, service: "fetch", operation: "read \(path)", code: "FileUnreadable",
                           message: "\(path) does not exist or cannot be read")
        }
        guard data.count <= maxBytes else {
            throw AWSError(kind: .configuration, service: "fetch", operation: "read \(path)", code: "TooLarge",
                           message: "\(path) is larger than \(maxBytes) bytes")
        }
        return Array(data)
    }
}
