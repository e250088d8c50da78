import EICAWS
import EICCore
import Foundation
import Testing

/// The SSM transport's batching, rate control, polling and truncation, on an in-memory Run Command
/// (issue 21). The real peer (the sandbox's Run Command) is exercised end to end in SSMTransportTests.
@Suite struct SSMCommandBatcherTests {
    static var quick: SSMCommandBatcher.Tuning {
        var tuning = SSMCommandBatcher.Tuning()
        tuning.gatherWindow = .milliseconds(50)
        tuning.firstPoll = .milliseconds(1)
        tuning.longestPoll = .milliseconds(5)
        return tuning
    }

    static func ids(_ count: Int) -> [String] { (0..<count).map { String(format: "i-%017x", $0 + 1) } }

    /// Runs `command` on every id at once, as the observer's parallel probes do.
    static func runAll(_ batcher: SSMCommandBatcher, _ ids: [String], _ command: RemoteCommand)
        async -> [String: Result<CommandResult, any Error>] {
        await withTaskGroup(of: (String, Result<CommandResult, any Error>).self) { group in
            for id in ids {
                group.addTask {
                    do { return (id, .success(try await batcher.run(command, on: id, timeoutSeconds: 120))) } catch { return (id, .failure(error)) }
                }
            }
            var results: [String: Result<CommandResult, any Error>] = [:]
            for await (id, result) in group { results[id] = result }
            return results
        }
    }

    @Test func hostsRunningTheSameScriptShareSendCommandsOfAtMost50() async throws {
        let fake = FakeRunCommand(pollsUntilDone: 2) { id, _ in .init(stdout: "hello from \(id)\n") }
        let batcher = SSMCommandBatcher(api: fake, parallelism: 200, tuning: Self.quick)
        let ids = Self.ids(120)
        let results = await Self.runAll(batcher, ids, RemoteCommand(arguments: ["echo", "probe"]))
        for id in ids {
            let result = try #require(try results[id]?.get())
            #expect(result.stdoutText == "hello from \(id)\n" && result.exitStatus == 0)
        }
        let sent = await fake.sent
        #expect(sent.map(\.instanceIds.count).sorted() == [20, 50, 50], "\(sent.map(\.instanceIds.count))")
        #expect(Set(sent.flatMap(\.instanceIds)) == Set(ids) && sent.flatMap(\.instanceIds).count == 120)
        #expect(sent.allSatisfy { $0.commands == [RemoteCommand(arguments: ["echo", "probe"]).text] && $0.executionTimeoutSeconds == 120 })
        // Polling is per batch and page, not per host; no output was long enough to need GetCommandInvocation.
        let polls = await fake.listCalls
        #expect(polls <= 3 * 2 * 3, "\(polls)")
        #expect(await fake.getCalls == 0)
    }

    /// Invocations of one command end at different polls (a slow install on some hosts): each is delivered
    /// once, when it ends, with its own output.
    @Test func invocationsEndingAtDifferentPollsAreEachDeliveredOnce() async throws {
        let fake = FakeRunCommand(pollsUntilDoneFor: { id in Int(id.suffix(1), radix: 16).map { $0 % 4 + 1 } ?? 1 }) { id, _ in
            .init(stdout: id.hasSuffix("3") ? String(repeating: "z", count: 3000) + id : id)
        }
        let batcher = SSMCommandBatcher(api: fake, parallelism: 200, tuning: Self.quick)
        let ids = Self.ids(50)
        let results = await Self.runAll(batcher, ids, RemoteCommand(arguments: ["install"]))
        for id in ids {
            let text = try #require(try results[id]?.get()).stdoutText
            #expect(text.hasSuffix(id), "\(id): \(text.suffix(40))")
        }
    }

    @Test func differentScriptsGoInDifferentCommands() async throws {
        let fake = FakeRunCommand { _, script in .init(stdout: script.contains("one") ? "1" : "2") }
        let batcher = SSMCommandBatcher(api: fake, parallelism: 200, tuning: Self.quick)
        async let first = Self.runAll(batcher, Self.ids(3), RemoteCommand(arguments: ["echo", "one"]))
        async let second = Self.runAll(batcher, Self.ids(3), RemoteCommand(arguments: ["echo", "two"]))
        let (a, b) = await (first, second)
        #expect(try a.values.allSatisfy { try $0.get().stdoutText == "1" } && b.values.allSatisfy { try $0.get().stdoutText == "2" })
        #expect(await fake.sent.count == 2)
    }

    @Test func rateControlComesFromParallelismOrThePlan() async throws {
        let fake = FakeRunCommand { _, _ in .init(stdout: "") }
        _ = await Self.runAll(SSMCommandBatcher(api: fake, parallelism: 10, tuning: Self.quick), Self.ids(8), RemoteCommand(arguments: ["true"]))
        var sent = await fake.sent
        #expect(sent.map(\.maxConcurrency) == ["8"] && sent.map(\.maxErrors) == ["100%"], "\(sent)")
        let planned = SSMCommandBatcher(api: fake, settings: SSMSettings(maxConcurrency: "25%", maxErrors: "2"), parallelism: 10, tuning: Self.quick)
        _ = await Self.runAll(planned, Self.ids(8), RemoteCommand(arguments: ["true"]))
        sent = await fake.sent
        #expect(sent.last?.maxConcurrency == "25%" && sent.last?.maxErrors == "2")
        #expect(sent.allSatisfy { $0.deliveryTimeoutSeconds >= 30 }, "AWS refuses TimeoutSeconds under 30")
    }

    @Test func pollingWaitsForEveryInvocationAndKeepsExitStatusAndStderr() async throws {
        let fake = FakeRunCommand(pollsUntilDone: 4) { id, _ in
            id.hasSuffix("1") ? .init(stdout: "out", stderr: "E: no package", code: 100, status: "Failed", details: "Failed") : .init(stdout: "ok")
        }
        let batcher = SSMCommandBatcher(api: fake, parallelism: 200, tuning: Self.quick)
        let results = await Self.runAll(batcher, Self.ids(2), RemoteCommand(arguments: ["install"]))
        let failed = try #require(try results[Self.ids(2)[0]]?.get())
        #expect(failed.exitStatus == 100 && failed.stdoutText == "out" && failed.stderrText == "E: no package")
        #expect(try results[Self.ids(2)[1]]?.get().exitStatus == 0)
        #expect(await fake.listCalls >= 4)
    }

    @Test func longOutputIsFetchedWholeAndTruncatedOutputIsAFailure() async throws {
        let long = String(repeating: "x", count: 10_000)
        let huge = String(repeating: "y", count: 30_000)
        let fake = FakeRunCommand { id, _ in .init(stdout: id.hasSuffix("1") ? long : huge, stderr: "warning") }
        let batcher = SSMCommandBatcher(api: fake, parallelism: 200, tuning: Self.quick)
        let results = await Self.runAll(batcher, Self.ids(2), RemoteCommand(arguments: ["probe"]))
        let whole = try #require(try results[Self.ids(2)[0]]?.get())
        #expect(whole.stdout.count == 10_000 && whole.stderrText == "warning")
        #expect(throws: HostError.outputTruncated(limit: 24000)) { try results[Self.ids(2)[1]]?.get() }
        #expect(await fake.getCalls == 2)
    }

    @Test func aForgedErrorTitleInStdoutIsNotMistakenForStderr() async throws {
        let forged = "facts\n----------ERROR-------\nnot stderr\n----------ERROR-------\nreal"
        let fake = FakeRunCommand { _, _ in .init(stdout: forged) }
        let results = await Self.runAll(SSMCommandBatcher(api: fake, parallelism: 1, tuning: Self.quick), Self.ids(1), RemoteCommand(arguments: ["x"]))
        #expect(try results.values.first?.get().stdoutText == forged)
        #expect(await fake.getCalls == 1)
    }

    @Test func undeliveredCommandsFailSendErrorsFailTheBatchAndStdinIsRefused() async throws {
        let fake = FakeRunCommand { _, _ in .init(stdout: "", code: -1, status: "TimedOut", details: "DeliveryTimedOut") }
        let results = await Self.runAll(SSMCommandBatcher(api: fake, parallelism: 5, tuning: Self.quick), Self.ids(2), RemoteCommand(arguments: ["x"]))
        for result in results.values {
            #expect(throws: HostError.self) { try result.get() }
            if case .failure(let error) = result { #expect("\(error)".contains("did not pick"), "\(error)") }
        }
        let refusing = FakeRunCommand { _, _ in .init(stdout: "") }
        await refusing.failSends(with: AWSError(kind: .service, service: "ssm", operation: "SendCommand", code: "InvalidInstanceId", message: "not registered"))
        let refused = await Self.runAll(SSMCommandBatcher(api: refusing, parallelism: 5, tuning: Self.quick), Self.ids(3), RemoteCommand(arguments: ["x"]))
        #expect(refused.values.allSatisfy { if case .failure(let error) = $0 { "\(error)".contains("InvalidInstanceId") } else { false } })
        let host = try await SSMHostConnector(batcher: SSMCommandBatcher(api: refusing, parallelism: 1)).open(.ssm(instanceId: "i-00000000000000001", commandTimeoutSeconds: 5))
        await #expect(throws: HostError.self) { try await host.run(RemoteCommand(arguments: ["cat"]), stdin: [1]) }
        #expect(host.displayName == "ssm:i-00000000000000001")
    }
}
