import Foundation

/// One OS thread that runs submitted blocking jobs in order. libssh2 calls block, so they must never
/// run on Swift's cooperative pool (a few blocked sessions would starve every other task); each SSH
/// connection owns one of these and uses it for all its libssh2 calls.
///
/// `@unchecked Sendable`: the job queue and the stop flag are only touched while holding `condition`.
final class DedicatedThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    /// Starts the thread; `name` shows up in debuggers and crash logs.
    init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        // Small stacks suffice (libssh2 + OpenSSL); hundreds of sessions stay cheap.
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Runs `body` on this thread and resumes the caller with its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Queues `job`; after `stop()` it runs nevertheless, so no continuation is left hanging.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread exit once the queued jobs are done.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                SSHProcessMemory.sessionThreadEnded()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
