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

/// glibc's per-thread cache (tcache) keeps chunks a thread freed for that thread alone; with one thread
/// per SSH session in flight that is ~6 MiB of apply's peak at 1,000 hosts and parallelism 200, for no
/// measurable speed (bench/RESULTS.md, issue 20). glibc reads the setting only from `GLIBC_TUNABLES` at
/// process start, so the commands that hold many sessions (plan, apply, verify) execute themselves once
/// more with the cache off. A caller's own `GLIBC_TUNABLES` is left alone, the re-executed process
/// removes the variable so that nothing it starts inherits it, and `EICSETUP_MALLOC_TUNED=off` opts out.
public enum MallocTuning {
    static let commands: Set<String> = ["plan", "apply", "verify"]
    static let marker = "EICSETUP_MALLOC_TUNED"
    static let tunables = "glibc.malloc.tcache_count=0"

    enum Step: Equatable {
        /// Nothing to do (another command, the caller's own tunables, or opted out).
        case none
        /// Execute again with the cache off.
        case reexec
        /// This is the re-executed process: drop the variables so that children do not inherit them.
        case cleanUp
    }

    static func step(environment: [String: String], arguments: [String]) -> Step {
        if let state = environment[marker] { return state == "reexec" ? .cleanUp : .none }
        guard environment["GLIBC_TUNABLES"] == nil,
              let command = arguments.dropFirst().first(where: { !$0.hasPrefix("-") }), commands.contains(command) else { return .none }
        return .reexec
    }

    public static func reexecIfUseful() {
        #if os(Linux)
        switch step(environment: ProcessInfo.processInfo.environment, arguments: CommandLine.arguments) {
        case .none: return
        case .cleanUp:
            unsetenv("GLIBC_TUNABLES")
            unsetenv(marker)
        case .reexec:
            setenv("GLIBC_TUNABLES", tunables, 1)
            setenv(marker, "reexec", 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            // Still here: the exec failed (no /proc?); carry on with glibc's defaults.
            unsetenv("GLIBC_TUNABLES")
            unsetenv(marker)
        }
        #endif
    }
}
