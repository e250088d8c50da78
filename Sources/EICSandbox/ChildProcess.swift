import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts programs with posix_spawn instead of Foundation's Process, for two reasons seen here:
/// a child inherits the spawning thread's signal mask (Dispatch threads block SIGTERM, so daemons
/// started through Process ignored `kill`), and Process's pipes leak into concurrently started daemons.
/// Output goes to files, stdin is /dev/null.
public enum ChildProcess {
    /// Starts `arguments[0]` (an absolute path) with a clean signal mask; `newSession` detaches it from
    /// our terminal and process group so it outlives us; `newProcessGroup` keeps the terminal's Ctrl-C
    /// (sent to the whole foreground group) away from it, so the caller decides how it ends. Returns the pid.
    public static func spawn(_ arguments: [String], stdout: String, stderr: String,
                             environment: [String: String], newSession: Bool,
                             newProcessGroup: Bool = false) throws(SandboxError) -> pid_t {
        guard let executable = arguments.first else { throw .badOption("nothing to run") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        // Close every other inherited descriptor: a long-lived child (awsd, an instance) must not keep
        // another caller's pipe open, or that caller's read-to-end-of-file never returns.
        closeInheritedDescriptors(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        // POSIX_SPAWN_SETSID (glibc ≥ 2.26) is the race-free way to start a daemon in its own session.
        let setsid: Int32 = 0x80
        let group = !newSession && newProcessGroup ? Int32(POSIX_SPAWN_SETPGROUP) : 0
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | (newSession ? setsid : 0) | group))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard status == 0 else {
            throw .missingTool(executable, hint: "could not start it: \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// glibc ≥ 2.34 has `posix_spawn_file_actions_addclosefrom_np`, but Swift's Glibc module does not
    /// export it (it sits behind _GNU_SOURCE), so it is looked up at run time; without it, the
    /// descriptors open right now are closed one by one.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// Waits for `pid` to exit on a GCD thread (waitpid blocks; the cooperative pool must not) and
    /// returns its exit status (128 + signal when killed).
    public static func wait(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED/WEXITSTATUS are macros Swift cannot import; decode by hand.
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
        }
    }

    /// Whether our child `pid` has exited (it is reaped then). For a pid that is not our child, whether it is gone.
    public static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return true }
        if result < 0 && errno == ECHILD { return kill(pid, 0) != 0 && errno == ESRCH }
        return false
    }

    /// Reaps `pid` if it has exited (so killed children of this process leave no zombie).
    public static func reapIfExited(_ pid: pid_t) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}
