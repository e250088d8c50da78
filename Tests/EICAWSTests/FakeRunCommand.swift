import EICAWS
import EICCore
import Foundation

/// An in-memory Run Command behind `SSMRunCommandAPI`: records every call, finishes each invocation
/// after `pollsUntilDone` ListCommandInvocations polls, and answers with `answer(instanceId, script)`
/// the way AWS reports output (2,500-character plugin output with markers; 24,000/8,000 in Get).
actor FakeRunCommand: SSMRunCommandAPI {
    struct Answer: Sendable {
        var stdout: String
        var stderr: String = ""
        var code: Int = 0
        var status: String = "Success"
        var details: String = "Success"
    }

    private(set) var sent: [SSMSendRequest] = []
    private(set) var listCalls = 0
    private(set) var getCalls = 0
    private var commands: [String: (request: SSMSendRequest, polls: Int)] = [:]
    /// How many polls of its command each instance's invocation takes to end.
    let pollsUntilDone: @Sendable (String) -> Int
    let answer: @Sendable (String, String) -> Answer
    var sendError: AWSError?

    init(pollsUntilDone: Int = 1, answer: @escaping @Sendable (String, String) -> Answer) {
        self.pollsUntilDone = { _ in pollsUntilDone }
        self.answer = answer
    }

    init(pollsUntilDoneFor: @escaping @Sendable (String) -> Int, answer: @escaping @Sendable (String, String) -> Answer) {
        self.pollsUntilDone = pollsUntilDoneFor
        self.answer = answer
    }

    func failSends(with error: AWSError) { sendError = error }

    func sendCommand(_ request: SSMSendRequest) async throws(AWSError) -> String {
        if let sendError { throw sendError }
        sent.append(request)
        let id = "cmd-\(sent.count)"
        commands[id] = (request, 0)
        return id
    }

    func listCommandInvocations(commandId: String, nextToken: String?) async throws(AWSError) -> (invocations: [SSMInvocation], nextToken: String?) {
        listCalls += 1
        guard var command = commands[commandId] else {
            throw AWSError(kind: .service, service: "ssm", operation: "ListCommandInvocations", code: "InvalidCommandId", message: "")
        }
        if nextToken == nil { command.polls += 1 }
        commands[commandId] = command
        // Pages of 20, to exercise NextToken.
        let start = Int(nextToken ?? "0") ?? 0
        let ids = Array(command.request.instanceIds.dropFirst(start).prefix(20))
        let invocations = ids.map { id -> SSMInvocation in
            guard command.polls >= pollsUntilDone(id) else { return SSMInvocation(instanceId: id, status: "InProgress", statusDetails: "InProgress", responseCode: -1, output: "") }
            let reply = answer(id, command.request.commands.joined(separator: "\n"))
            return SSMInvocation(instanceId: id, status: reply.status, statusDetails: reply.details, responseCode: reply.code,
                                 output: Self.pluginOutput(reply.stdout, reply.stderr))
        }
        let next = start + 20 < command.request.instanceIds.count ? String(start + 20) : nil
        return (invocations, next)
    }

    func getCommandInvocation(commandId: String, instanceId: String) async throws(AWSError) -> SSMInvocationOutput {
        getCalls += 1
        guard let command = commands[commandId] else {
            throw AWSError(kind: .service, service: "ssm", operation: "GetCommandInvocation", code: "InvocationDoesNotExist", message: "")
        }
        let reply = answer(instanceId, command.request.commands.joined(separator: "\n"))
        return SSMInvocationOutput(status: reply.status, statusDetails: reply.details, responseCode: reply.code,
                                   standardOutput: Self.cut(reply.stdout, 24000, "\n---Output truncated---"),
                                   standardError: Self.cut(reply.stderr, 8000, "\n---Error truncated----"))
    }

    static func pluginOutput(_ stdout: String, _ stderr: String) -> String {
        let whole = stdout + (stderr.isEmpty ? "" : "\n----------ERROR-------\n" + stderr)
        return cut(whole, 2500, "\n---Output truncated---")
    }

    static func cut(_ text: String, _ limit: Int, _ marker: String) -> String {
        text.count <= limit ? text : String(text.prefix(limit - marker.count)) + marker
    }
}
