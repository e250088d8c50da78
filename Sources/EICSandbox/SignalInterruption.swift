import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT/SIGTERM/SIGHUP into a request to stop, so work that has started children (awsd, the
/// instances) can roll back instead of dying and leaving them running under pid 1.
///
/// While installed, the signals' default action is replaced by "ignore" and a dispatch source reports
/// them; `restore()` puts the default actions back. A second signal does nothing more: the rollback
/// must run to its end or it would leave exactly what it is cleaning up.
public final class SignalInterruption: @unchecked Sendable {
    // @unchecked: all mutable state is behind `lock`; the dispatch sources are only touched in init/restore.
    private let lock = NSLock()
    private var received: Int32?
    private var handlers: [@Sendable (Int32) -> Void] = []
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]

    /// Starts watching `signals` (default: SIGINT, SIGTERM, SIGHUP).
    public init(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        self.signals = signals
        for number in signals {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.deliver(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    public var receivedSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Calls `handler` once on the first signal (at once if one already arrived).
    public func onSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        lock.lock()
        if let received {
            lock.unlock()
            handler(received)
            return
        }
        handlers.append(handler)
        lock.unlock()
    }

    /// Stops watching; the signals get their default actions back.
    public func restore() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in signals { Glibc.signal(number, SIG_DFL) }
    }

    private func deliver(_ number: Int32) {
        lock.lock()
        guard received == nil else {
            lock.unlock()
            return
        }
        received = number
        let pending = handlers
        handlers.removeAll()
        lock.unlock()
        for handler in pending { handler(number) }
    }

    /// "SIGINT", "SIGTERM", … for messages.
    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(number)"
        }
    }
}
