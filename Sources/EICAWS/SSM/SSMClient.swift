import Foundation

/// What the SSM transport needs of Systems Manager's Run Command (ssm, JSON 1.1). `SSMClient` is the real
/// one; the batcher's tests use an in-memory fake of this protocol.
public protocol SSMRunCommandAPI: Sendable {
    /// SendCommand of `AWS-RunShellScript` to at most 50 instances; the command id.
    func sendCommand(_ request: SSMSendRequest) async throws(AWSError) -> String
    /// One page of ListCommandInvocations for `commandId`, with plugin details (output cut to 2,500 characters).
    func listCommandInvocations(commandId: String, nextToken: String?) async throws(AWSError) -> (invocations: [SSMInvocation], nextToken: String?)
    /// GetCommandInvocation: the whole output AWS keeps (24,000 characters of stdout, 8,000 of stderr).
    func getCommandInvocation(commandId: String, instanceId: String) async throws(AWSError) -> SSMInvocationOutput
}

/// One SendCommand.
public struct SSMSendRequest: Sendable, Equatable {
    public var instanceIds: [String]
    /// The shell script, one line per element of AWS-RunShellScript's `commands` parameter.
    public var commands: [String]
    /// The script's own time limit (the document's `executionTimeout`).
    public var executionTimeoutSeconds: Int
    /// How long an agent may take to pick the command up (SendCommand's `TimeoutSeconds`, 30–2,592,000).
    public var deliveryTimeoutSeconds: Int
    public var maxConcurrency: String
    public var maxErrors: String
    public var comment: String

    public init(instanceIds: [String], commands: [String], executionTimeoutSeconds: Int, deliveryTimeoutSeconds: Int,
                maxConcurrency: String, maxErrors: String, comment: String) {
        self.instanceIds = instanceIds
        self.commands = commands
        self.executionTimeoutSeconds = executionTimeoutSeconds
        self.deliveryTimeoutSeconds = deliveryTimeoutSeconds
        self.maxConcurrency = maxConcurrency
        self.maxErrors = maxErrors
        self.comment = comment
    }
}

/// An invocation's state as ListCommandInvocations reports it.
public struct SSMInvocation: Sendable, Equatable {
    public var instanceId: String
    /// Pending | InProgress | Delayed | Success | Cancelled | TimedOut | Failed | Cancelling.
    public var status: String
    /// Finer: DeliveryTimedOut, ExecutionTimedOut, Undeliverable, Terminated, …
    public var statusDetails: String
    /// The script's exit status; -1 until it ended.
    public var responseCode: Int
    /// stdout, then "\n----------ERROR-------\n" and stderr, cut to 2,500 characters with a marker.
    public var output: String

    public init(instanceId: String, status: String, statusDetails: String, responseCode: Int, output: String) {
        self.instanceId = instanceId
        self.status = status
        self.statusDetails = statusDetails
        self.responseCode = responseCode
        self.output = output
    }

    /// Whether the invocation will not change any more.
    public var isFinished: Bool { ["Success", "Cancelled", "TimedOut", "Failed"].contains(status) }
}

/// GetCommandInvocation's separate outputs.
public struct SSMInvocationOutput: Sendable, Equatable {
    public var status: String
    public var statusDetails: String
    public var responseCode: Int
    public var standardOutput: String
    public var standardError: String

    public init(status: String, statusDetails: String, responseCode: Int, standardOutput: String, standardError: String) {
        self.status = status
        self.statusDetails = statusDetails
        self.responseCode = responseCode
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Systems Manager over HTTP: Run Command and DescribeInstanceInformation.
public struct SSMClient: SSMRunCommandAPI {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public func sendCommand(_ request: SSMSendRequest) async throws(AWSError) -> String {
        let body: [String: Any] = [
            "DocumentName": "AWS-RunShellScript",
            "InstanceIds": request.instanceIds,
            "Parameters": ["commands": request.commands, "executionTimeout": [String(request.executionTimeoutSeconds)]],
            "TimeoutSeconds": request.deliveryTimeoutSeconds,
            "MaxConcurrency": request.maxConcurrency,
            "MaxErrors": request.maxErrors,
            "Comment": request.comment,
        ]
        let answer = try await call("SendCommand", body)
        guard let command = answer["Command"] as? [String: Any], let id = command["CommandId"] as? String, !id.isEmpty else {
            throw Self.malformed("SendCommand")
        }
        return id
    }

    public func listCommandInvocations(commandId: String, nextToken: String?) async throws(AWSError)
        -> (invocations: [SSMInvocation], nextToken: String?) {
        var body: [String: Any] = ["CommandId": commandId, "Details": true, "MaxResults": 50]
        if let nextToken { body["NextToken"] = nextToken }
        let answer = try await call("ListCommandInvocations", body)
        guard let rows = answer["CommandInvocations"] as? [[String: Any]] else { throw Self.malformed("ListCommandInvocations") }
        let invocations = rows.compactMap { row -> SSMInvocation? in
            guard let instanceId = row["InstanceId"] as? String, let status = row["Status"] as? String else { return nil }
            let plugin = (row["CommandPlugins"] as? [[String: Any]])?.first
            return SSMInvocation(instanceId: instanceId, status: status, statusDetails: row["StatusDetails"] as? String ?? "",
                                 responseCode: (plugin?["ResponseCode"] as? Int) ?? -1, output: plugin?["Output"] as? String ?? "")
        }
        return (invocations, (answer["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 })
    }

    public func getCommandInvocation(commandId: String, instanceId: String) async throws(AWSError) -> SSMInvocationOutput {
        let answer = try await call("GetCommandInvocation", ["CommandId": commandId, "InstanceId": instanceId])
        guard let status = answer["Status"] as? String else { throw Self.malformed("GetCommandInvocation") }
        return SSMInvocationOutput(status: status, statusDetails: answer["StatusDetails"] as? String ?? "",
                                   responseCode: answer["ResponseCode"] as? Int ?? -1,
                                   standardOutput: answer["StandardOutputContent"] as? String ?? "",
                                   standardError: answer["StandardErrorContent"] as? String ?? "")
    }

    /// PingStatus of the agents registered for `instanceIds`, 50 ids per request (AWS's filter limit), paginated.
    public func describeInstanceInformation(instanceIds: [String]) async throws(AWSError) -> [String: String] {
        var found: [String: String] = [:]
        for start in stride(from: 0, to: instanceIds.count, by: 50) {
            let chunk = Array(instanceIds[start..<min(start + 50, instanceIds.count)])
            var token: String?
            repeat {
                var body: [String: Any] = ["Filters": [["Key": "InstanceIds", "Values": chunk]], "MaxResults": 50]
                if let token { body["NextToken"] = token }
                let answer = try await call("DescribeInstanceInformation", body)
                guard let rows = answer["InstanceInformationList"] as? [[String: Any]] else {
                    throw Self.malformed("DescribeInstanceInformation")
                }
                for row in rows {
                    if let id = row["InstanceId"] as? String, let ping = row["PingStatus"] as? String { found[id] = ping }
                }
                token = (answer["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            } while token != nil
        }
        return found
    }

    private func call(_ operation: String, _ body: [String: Any]) async throws(AWSError) -> [String: Any] {
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else {
            throw AWSError(kind: .configuration, service: "ssm", operation: operation, code: "EncodingFailed", message: "could not encode the request")
        }
        let answer = try await client.json(.ssm, targetPrefix: "AmazonSSM", operation, body: Array(data))
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any] else { throw Self.malformed(operation) }
        return object
    }

    static func malformed(_ operation: String) -> AWSError {
        AWSError(kind: .malformedResponse, service: "ssm", operation: operation, code: "MalformedJSON", message: "the answer was not the expected JSON")
    }
}
