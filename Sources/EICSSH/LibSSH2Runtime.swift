import CLibSSH2
import Synchronization

/// Process-wide libssh2 initialisation.
enum LibSSH2Runtime {
    /// `libssh2_init` is not thread-safe; a `static let` is initialised exactly once (swift_once),
    /// whichever thread gets there first.
    private static let status: Int32 = libssh2_init(0)

    /// Makes sure libssh2 is initialised; throws if it could not be.
    static func ensureInitialized() throws(SSHError) {
        guard status == 0 else {
            throw SSHError(.session, operation: "libssh2_init", message: "libssh2 could not initialise its crypto backend (code \(status))")
        }
    }
}

/// The process's malloc, for many SSH sessions on their own threads.
public enum SSHProcessMemory {
    /// Limits glibc to `count` malloc arenas. Each dedicated session thread would otherwise get its own
    /// (up to 8 per core), and memory freed in one is not reused by the next session's thread in
    /// another, so peak RSS grew with the number of hosts, not with the sessions open at once.
    public static func limitArenas(_ count: Int32) {
        eic_limit_malloc_arenas(count)
    }

    /// Every `releaseInterval`-th session thread to end gives the process's free heap pages back.
    /// glibc keeps the pages of freed chunks in the middle of a heap resident; with sessions coming and
    /// going on many threads, those holes are most of plan's and apply's anonymous memory.
    static let releaseInterval = 8
    private static let endedThreads = Atomic<Int>(0)

    static func sessionThreadEnded() {
        let (ended, _) = endedThreads.add(1, ordering: .relaxed)
        if ended % releaseInterval == 0 { eic_release_free_malloc_pages() }
    }
}
