import EICCore
import Foundation

/// Runs host commands through Run Command the way a fleet needs it: the hosts of a plan run the same
/// fixed scripts (the probe, an install) at about the same time, so the commands that arrive within a
/// short window with the same script and time limit leave in one SendCommand of at most 50 instances
/// (AWS's limit for `InstanceIds`), and one ListCommandInvocations poll per page of 50 follows them.
/// Calls grow with the number of batches, not of hosts — except GetCommandInvocation, asked only for
/// an invocation whose output passed ListCommandInvocations's 2,500 characters.
public actor SSMCommandBatcher {
    /// The timings, adjustable so that tests on fakes need not wait.
    public struct Tuning: Sendable {
        /// How long the first command of a batch waits for others with the same script.
        public var gatherWindow: Duration = .milliseconds(200)
        /// The first poll, and the factor and ceiling of the backoff between polls.
        public var firstPoll: Duration = .milliseconds(500)
        public var pollBackoff: Double = 1.5
        public var longestPoll: Duration = .seconds(5)
        /// How long an agent may take to pick a command up (AWS's minimum is 30 s).
        public var deliveryTimeoutSeconds: Int = 60

        public init() {}
    }

    /// AWS's limit of instance ids in one SendCommand.
    public static let batchLimit = 50

    struct Key: Hashable {
        let script: String
        let timeoutSeconds: Int
        let outputLimit: Int
    }

    struct Waiter {
        let instanceId: String
        let continuation: CheckedContinuation<CommandResult, any Error>
    }

    let api: any SSMRunCommandAPI
    let settings: SSMSettings
    let parallelism: Int
    let tuning: Tuning
    private var gathering: [Key: [Waiter]] = [:]
    private var generations: [Key: Int] = [:]
    private var nextGeneration = 0

    /// `settings`: the plan's MaxConcurrency/MaxErrors; without them, `parallelism` bounds concurrency
    /// and no host's failure stops the others of its batch.
    public init(api: any SSMRunCommandAPI, settings: SSMSettings = SSMSettings(), parallelism: Int, tuning: Tuning = Tuning()) {
        self.api = api
        self.settings = settings
        self.parallelism = max(1, parallelism)
        self.tuning = tuning
    }

    /// Runs `command` on `instanceId` as root and returns its outputs and exit status.
    public func run(_ command: RemoteCommand, on instanceId: String, timeoutSeconds: Int) async throws -> CommandResult {
        let key = Key(script: command.text, timeoutSeconds: max(1, timeoutSeconds), outputLimit: command.outputLimit)
        return try await withCheckedThrowingContinuation { continuation in
            enqueue(Waiter(instanceId: instanceId, continuation: continuation), key)
        }
    }

    private func enqueue(_ waiter: Waiter, _ key: Key) {
        // One instance appears once per SendCommand: a second run of the same script on it goes in the next batch.
        if gathering[key]?.contains(where: { $0.instanceId == waiter.instanceId }) == true { flush(key) }
        gathering[key, default: []].append(waiter)
        let count = gathering[key]?.count ?? 0
        if count >= Self.batchLimit {
            flush(key)
        } else if count == 1 {
            nextGeneration += 1
            let generation = nextGeneration
            generations[key] = generation
            let window = tuning.gatherWindow
            Task { [weak self] in
                try? await Task.sleep(for: window)
                await self?.flush(key, ifGeneration: generation)
            }
        }
    }

    private func flush(_ key: Key, ifGeneration generation: Int) {
        if generations[key] == generation { flush(key) }
    }

    private func flush(_ key: Key) {
        generations[key] = nil
        guard let waiters = gathering.removeValue(forKey: key), !waiters.isEmpty else { return }
        let request = SSMSendRequest(instanceIds: waiters.map(\.instanceId), commands: [key.script],
                                     executionTimeoutSeconds: key.timeoutSeconds, deliveryTimeoutSeconds: tuning.deliveryTimeoutSeconds,
                                     maxConcurrency: settings.maxConcurrency ?? String(min(parallelism, waiters.count)),
                                     maxErrors: settings.maxErrors ?? "100%", comment: "eicsetup")
        let (api, tuning) = (api, tuning)
        Task { await SSMBatchRun(api: api, tuning: tuning, request: request, outputLimit: key.outputLimit, waiters: waiters).run() }
    }
}

/// One SendCommand and its polling until every invocation has ended (or the time is up).
struct SSMBatchRun {
    let api: any SSMRunCommandAPI
    let tuning: SSMCommandBatcher.Tuning
    let request: SSMSendRequest
    let outputLimit: Int
    let waiters: [SSMCommandBatcher.Waiter]

    func run() async {
        let commandId: String
        do {
            commandId = try await api.sendCommand(request)
        } catch {
            fail(waiters, HostError.commandNotRun(reason: "SendCommand failed: \(error)"))
            return
        }
        var pending = Dictionary(waiters.map { ($0.instanceId, $0) }, uniquingKeysWith: { first, _ in first })
        // The agent may take the delivery timeout to pick the command up, then the script its own limit.
        let deadline = ContinuousClock.now + .seconds(request.deliveryTimeoutSeconds + request.executionTimeoutSeconds + 30)
        var delay = tuning.firstPoll
        while !pending.isEmpty {
            try? await Task.sleep(for: delay)
            delay = min(delay * tuning.pollBackoff, tuning.longestPoll)
            do {
                var finished: [(SSMCommandBatcher.Waiter, SSMInvocation)] = []
                var token: String?
                repeat {
                    let page = try await api.listCommandInvocations(commandId: commandId, nextToken: token)
                    for invocation in page.invocations where invocation.isFinished {
                        if let waiter = pending.removeValue(forKey: invocation.instanceId) { finished.append((waiter, invocation)) }
                    }
                    token = page.nextToken
                } while token != nil
                await deliver(finished, commandId: commandId)
            } catch {
                fail(Array(pending.values), HostError.commandNotRun(reason: "ListCommandInvocations for command \(commandId) failed: \(error)"))
                return
            }
            if ContinuousClock.now > deadline, !pending.isEmpty {
                fail(Array(pending.values), HostError.commandNotRun(
                    reason: "command \(commandId) had not ended after \(request.deliveryTimeoutSeconds + request.executionTimeoutSeconds + 30) s"))
                return
            }
        }
    }

    /// Hands each ended invocation's result to its waiter, all of them together: the hosts then send
    /// their next command at about the same time, so it leaves in one batch again, not in many small
    /// ones. Long outputs are fetched a few at a time.
    func deliver(_ finished: [(SSMCommandBatcher.Waiter, SSMInvocation)], commandId: String) async {
        var results: [Result<CommandResult, any Error>] = []
        results.reserveCapacity(finished.count)
        for start in stride(from: 0, to: finished.count, by: Self.concurrentFetches) {
            let chunk = Array(finished[start..<min(start + Self.concurrentFetches, finished.count)].map(\.1))
            // Child tasks, awaited in order (a task group returning (Int, Result<_, any Error>) tuples was
            // miscompiled in release builds: results went missing, then an out-of-range trap).
            let fetches = chunk.map { invocation in Task { try await result(of: invocation, commandId: commandId) } }
            var outcomes: [Result<CommandResult, any Error>] = []
            for fetch in fetches { outcomes.append(await fetch.result) }
            results += outcomes
        }
        for ((waiter, _), outcome) in zip(finished, results) {
            switch outcome {
            case .success(let value): waiter.continuation.resume(returning: value)
            case .failure(let error): waiter.continuation.resume(throwing: error)
            }
        }
    }

    /// GetCommandInvocation calls in flight per batch.
    static let concurrentFetches = 10

    func fail(_ waiters: [SSMCommandBatcher.Waiter], _ error: HostError) {
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    /// The outputs and exit status of an ended invocation, or why it has none.
    func result(of invocation: SSMInvocation, commandId: String) async throws -> CommandResult {
        switch (invocation.status, invocation.statusDetails) {
        case ("Success", _), ("Failed", "Failed"), ("Failed", ""):
            break
        case ("TimedOut", "DeliveryTimedOut"):
            throw HostError.commandNotRun(reason: "the SSM agent did not pick command \(commandId) up within \(request.deliveryTimeoutSeconds) s")
        case ("TimedOut", _):
            throw HostError.commandNotRun(reason: "command \(commandId) ran past its \(request.executionTimeoutSeconds) s limit and was stopped")
        case (let status, let details):
            throw HostError.commandNotRun(reason: "command \(commandId) ended \(status) (\(details)) without running to completion")
        }
        let result: CommandResult
        if let (stdout, stderr) = SSMOutput.split(invocation.output) {
            result = CommandResult(stdout: Array(stdout.utf8), stderr: Array(stderr.utf8), exitStatus: Int32(clamping: invocation.responseCode))
        } else {
            let full = try await api.getCommandInvocation(commandId: commandId, instanceId: invocation.instanceId)
            if SSMOutput.isTruncated(full) { throw HostError.outputTruncated(limit: SSMOutput.standardOutputLimit) }
            result = CommandResult(stdout: Array(full.standardOutput.utf8), stderr: Array(full.standardError.utf8),
                                   exitStatus: Int32(clamping: full.responseCode))
        }
        if result.stdout.count + result.stderr.count > outputLimit { throw HostError.outputTooLarge(limit: outputLimit) }
        return result
    }
}

/// How Run Command reports output (AWS's limits and markers).
enum SSMOutput {
    /// ListCommandInvocations's plugin `Output`: stdout, the error title and stderr, at most 2,500 characters.
    static let pluginOutputLimit = 2500
    /// GetCommandInvocation keeps 24,000 characters of stdout and 8,000 of stderr.
    static let standardOutputLimit = 24000
    static let standardErrorLimit = 8000
    static let errorTitle = "\n----------ERROR-------\n"
    static let truncationMarkers = ["---Output truncated---", "---Error truncated----"]

    /// stdout and stderr from a plugin output that was certainly not cut; nil when it may have been (or when
    /// the error title appears more than once, so the two cannot be told apart): then GetCommandInvocation.
    static func split(_ output: String) -> (String, String)? {
        // unicodeScalars: AWS counts code points; String.count's grapheme walk is slow on 24,000 characters.
        guard output.unicodeScalars.count < pluginOutputLimit - 50, !truncationMarkers.contains(where: output.contains) else { return nil }
        let parts = output.components(separatedBy: errorTitle)
        switch parts.count {
        case 1: return (output, "")
        case 2: return (parts[0], parts[1])
        default: return nil
        }
    }

    static func isTruncated(_ output: SSMInvocationOutput) -> Bool {
        output.standardOutput.unicodeScalars.count >= standardOutputLimit || output.standardError.unicodeScalars.count >= standardErrorLimit
            || truncationMarkers.contains { output.standardOutput.hasSuffix($0) || output.standardError.hasSuffix($0) }
    }
}
