import Foundation

/// Runs a `credential_process` command and parses its JSON (Version 1) output, as botocore does: its
/// stderr is captured and shown only when it fails (a helper that logs its secret must not leak it on
/// success). The wait is bounded, and a helper ended by a signal is reported as interrupted.
public enum ProcessCredentialRunner {
    /// Long enough for a helper that asks for an MFA code on the terminal.
    public static let defaultTimeout = 120.0

    struct Outcome: Sendable {
        var started = true
        var startError = ""
        var status: Int32 = 0
        var signal: Int32?
        var timedOut = false
        var stdout = Data()
        var stderr = Data()
    }

    static func run(command: String, profile: String, timeout: Double) async throws(AWSError) -> AWSCredentials {
        // The waits block, so they happen on a thread of our own, never on the cooperative pool. Its signal
        // mask is cleared first: a child inherits the spawning thread's mask, and on a GCD thread (which
        // blocks SIGTERM and others) the helper would ignore our stop and the terminal's Ctrl-C.
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let thread = Thread {
                var nothing = sigset_t()
                sigemptyset(&nothing)
                pthread_sigmask(SIG_SETMASK, &nothing, nil)
                continuation.resume(returning: runBlocking(command: command, timeout: timeout))
            }
            thread.start()
        }
        let name = "credential_process of profile '\(profile)'"
        guard outcome.started else {
            throw .credentials("\(name) could not start: \(outcome.startError)", code: "CredentialProcessFailed")
        }
        let detail = Self.tail(outcome.stderr)
        if outcome.timedOut {
            throw .credentials("\(name) did not finish within \(Int(timeout)) s and was stopped" + detail,
                               code: "CredentialProcessFailed")
        }
        if let signal = outcome.signal {
            let what = signal == SIGINT || signal == SIGTERM || signal == SIGHUP
                ? "was interrupted (\(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "SIGHUP"))"
                : "was killed by signal \(signal)"
            throw .credentials("\(name) \(what)" + detail, code: "CredentialProcessFailed")
        }
        guard outcome.status == 0 else {
            throw .credentials("\(name) exited with status \(outcome.status)" + detail, code: "CredentialProcessFailed")
        }
        struct Output: Decodable {
            let Version: Int
            let AccessKeyId: String
            let SecretAccessKey: String
            let SessionToken: String?
            let Expiration: String?
        }
        guard let output = try? JSONDecoder().decode(Output.self, from: outcome.stdout), output.Version == 1 else {
            throw .credentials("\(name) printed no Version 1 JSON credentials", code: "CredentialProcessFailed")
        }
        return AWSCredentials(accessKeyId: output.AccessKeyId, secretAccessKey: output.SecretAccessKey,
                              sessionToken: output.SessionToken,
                              expiration: output.Expiration.flatMap { AWSTimestamp.parse($0) })
    }

    /// The end of the helper's stderr, for a failure message (its own words on what went wrong).
    static func tail(_ data: Data) -> String {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return "" }
        let lines = text.split(separator: "\n").suffix(5).joined(separator: " | ")
        return ": " + String(lines.suffix(500))
    }

    static func runBlocking(command: String, timeout: Double) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The command line comes from the operator's own config file, which is trusted like a shell rc file.
        process.arguments = ["-c", command]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        var outcome = Outcome()
        do {
            try process.run()
        } catch {
            outcome.started = false
            outcome.startError = error.localizedDescription
            return outcome
        }
        // Both pipes are drained at once, so a chatty helper never blocks on a full pipe.
        let collected = Collected()
        let readers = DispatchGroup()
        DispatchQueue.global().async(group: readers) { collected.setStdout(stdout.fileHandleForReading.readDataToEndOfFile()) }
        DispatchQueue.global().async(group: readers) { collected.setStderr(stderr.fileHandleForReading.readDataToEndOfFile()) }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            outcome.timedOut = true
            process.terminate()
            if finished.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
        }
        // A grandchild may keep the pipes open after the helper exited; do not wait for it long.
        _ = readers.wait(timeout: .now() + 2)
        outcome.stdout = collected.stdout
        outcome.stderr = collected.stderr
        if process.terminationReason == .uncaughtSignal, !outcome.timedOut {
            outcome.signal = process.terminationStatus
        } else {
            outcome.status = process.terminationStatus
        }
        return outcome
    }

    /// What the two reader threads collected.
    private final class Collected: @unchecked Sendable {
        // @unchecked: every access goes through `lock`.
        private let lock = NSLock()
        private var out = Data()
        private var err = Data()

        func setStdout(_ data: Data) { lock.withLock { out = data } }
        func setStderr(_ data: Data) { lock.withLock { err = data } }
        var stdout: Data { lock.withLock { out } }
        var stderr: Data { lock.withLock { err } }
    }
}
