import Foundation

/// A few OS threads for the HTTP client's blocking socket and TLS calls, which must never run on Swift's
/// cooperative pool. Threads start on demand, up to `limit`; further jobs wait their turn. A job never
/// waits for another job, so a full pool only delays, never deadlocks.
///
/// `@unchecked Sendable`: the queue and counters are only touched while holding `condition`.
final class BlockingWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var threads = 0
    private var idle = 0
    private let limit: Int
    private let name: String

    init(name: String, limit: Int) {
        self.name = name
        self.limit = max(1, limit)
    }

    /// Runs `body` on a worker thread and resumes the caller with its result.
    func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () -> Result<T, E>) async -> Result<T, E> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, E>, Never>) in
            submit { continuation.resume(returning: body()) }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        // Idle threads each take one queued job; start another thread when the queue outgrows them.
        let start = jobs.count > idle && threads < limit
        if start { threads += 1 }
        condition.signal()
        condition.unlock()
        guard start else { return }
        let thread = Thread { [self] in loop() }
        thread.name = name
        // Socket and TLS calls need little stack; the pool stays cheap.
        thread.stackSize = 512 << 10
        thread.start()
    }

    private func loop() {
        condition.lock()
        while true {
            while jobs.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
    }
}
