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
    private let pipeFDs: (read: Int32, write: Int32)

    /// `notice` says what the first Ctrl-C does (nil when `onFirst` says it itself).
    init(_ notice: String?, onFirst: @escaping @Sendable () -> Void) {
        // A handler of our own that writes to a pipe, not a dispatch signal source: libdispatch on Linux
        // reads signals with signalfd, which sees them only while every thread blocks them — a signal that
        // reached the main thread under SIG_IGN was dropped, so Ctrl-C did nothing. sigaction also replaces
        // whatever disposition was inherited (a shell's background job ignores SIGINT).
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        pipeFDs = (fds[0], fds[1])
        ctrlCSignalFD = fds[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = ctrlCHandler
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
        let (count, readFD) = (count, fds[0])
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let got = read(readFD, &byte, 1)
                if got < 0 && errno == EINTR { continue }
                guard got == 1 else {
                    close(readFD)
                    return
                }
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
        }
    }

    /// True once a SIGINT arrived.
    var interrupted: Bool { count.value.withLock { $0 > 0 } }

    /// Stops watching: SIGINT gets its default action back.
    func cancel() {
        signal(SIGINT, SIG_DFL)
        ctrlCSignalFD = -1
        close(pipeFDs.write)  // the reader sees end-of-file and ends, then closes its end
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

/// The pipe the SIGINT handler writes to. Read by the handler without a lock (a lock is not
/// async-signal-safe); an Int32 store is atomic on every platform Swift runs on.
private nonisolated(unsafe) var ctrlCSignalFD: Int32 = -1

/// Async-signal-safe: one write(2) of one byte.
private func ctrlCHandler(_ signal: Int32) {
    var byte: UInt8 = 1
    _ = write(ctrlCSignalFD, &byte, 1)
}
