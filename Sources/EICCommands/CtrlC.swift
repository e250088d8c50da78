import ArgumentParser
import Foundation
import Synchronization

/// Ctrl-C in plan, apply and verify. The first SIGINT starts nothing new: it says so on stderr and
/// calls `onFirst` (cancel the work's task, stop the executor); what already runs finishes or reaches
/// the plan's connect/command timeouts, and the command then exits 130. A second SIGINT exits 130 at
/// once, without waiting for a hung host.
final class CtrlC: Sendable {
    private final class Counter: Sendable { let value = Mutex(0) }
    private let count = Counter()
    // The source is created in init and only cancelled afterwards; DispatchSourceSignal is thread-safe.
    private nonisolated(unsafe) let source: DispatchSourceSignal

    /// `notice` says what the first Ctrl-C does (nil when `onFirst` says it itself).
    init(_ notice: String?, onFirst: @escaping @Sendable () -> Void) {
        // Whatever disposition was inherited (a shell's background job ignores SIGINT), SIGINT is ours now.
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let count = count
        source.setEventHandler {
            let seen = count.value.withLock { value -> Int in
                value += 1
                return value
            }
            if seen == 1 {
                onFirst()
                FileHandle.standardError.write(Data(((notice.map { "\n" + $0 } ?? "") + " Press Ctrl-C again to abort now.\n").utf8))
            } else {
                FileHandle.standardError.write(Data("\nAborted.\n".utf8))
                // _exit: nothing of this process may run any more (exit()'s library cleanup would race the
                // SSH threads still blocked on a hung host).
                _exit(130)
            }
        }
        source.resume()
    }

    /// True once a SIGINT arrived.
    var interrupted: Bool { count.value.withLock { $0 > 0 } }

    /// Stops watching: SIGINT gets its default action back.
    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    /// Runs `body` in a task that the first Ctrl-C cancels (work that checks for cancellation, such as
    /// `BoundedConcurrency`, starts nothing new), then throws exit 130 if Ctrl-C was pressed.
    /// `cleanup` gets what `body` returned when Ctrl-C makes it unused (apply's open sessions).
    static func guarding<T: Sendable>(_ notice: String, cleanup: @Sendable (T) async -> Void = { _ in },
                                      _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let watch = CtrlC(notice) { task.cancel() }
        defer { watch.cancel() }
        let result = await task.result
        if watch.interrupted {
            if case .success(let value) = result { await cleanup(value) }
            throw ExitCode(130)
        }
        return try result.get()
    }
}
