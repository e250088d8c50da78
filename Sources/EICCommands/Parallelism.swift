import EICSSH
import Foundation

/// How many hosts plan, apply and verify work on at once, and what this process can hold (issue 20).
///
/// The default is chosen for real fleets, which are latency-bound (an install takes seconds on each
/// instance; the network adds round trips), not for this machine's CPU: measured on the sandbox with
/// every install taking 5 s (bench/RESULTS.md), 200 hosts apply in about a fifth of the time at 200 at
/// once as at 10. What bounds it is what the process holds per host in flight — one SSH socket and one
/// dedicated thread, plus at most as many sessions kept between probe and install — so the bound is the
/// open-files limit, not the number of cores.
enum Parallelism {
    static let preferred = 200
    static let range = 1...500
    /// Per host in flight: its socket, and the socket of a session kept for a later host.
    static let descriptorsPerHost = 2
    /// stdio, the AWS client's connections, known_hosts and key files, libraries.
    static let reservedDescriptors = 64

    /// `requested`, or fewer when the open-files limit cannot hold it even after raising the soft limit
    /// to the hard one (done here, once; a raised soft limit harms nothing).
    static func fitting(_ requested: Int) -> Int {
        let limit = raisedOpenFileLimit
        let fits = max(1, (limit - reservedDescriptors) / descriptorsPerHost)
        guard requested > fits else { return requested }
        FileHandle.standardError.write(Data("note: --parallelism \(requested) needs more open files than this process may have (\(limit)); using \(fits)\n".utf8))
        return fits
    }

    static let raisedOpenFileLimit: Int = {
        var limits = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limits) == 0 else { return 1024 }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(RLIMIT_NOFILE_VALUE, &raised) == 0 { limits = raised }
        }
        return Int(clamping: limits.rlim_cur)
    }()

    #if os(Linux)
    private static let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
    #endif
}

/// At most two malloc arenas (`SSHProcessMemory.limitArenas`), unless `MALLOC_ARENA_MAX` is set.
public enum MallocArenas {
    public static func limit() {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        SSHProcessMemory.limitArenas(2)
    }
}
