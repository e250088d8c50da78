import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What sandboxes in different state directories share on one host, and how they keep out of each
/// other's way: the empty mount targets hostprep.sh creates, and the 127.0.N.0/24 subnets.
enum SandboxHost {
    static let directory = "/run/eicsetup-sandbox"

    /// An open lock file holding a flock; released by `release()` or when the process exits.
    final class Lock: @unchecked Sendable {
        // @unchecked: `fd` is written only by release(), which each owner calls once from one task.
        private var fd: Int32

        fileprivate init(fd: Int32) { self.fd = fd }

        func release() {
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }

        deinit { release() }
    }

    /// Taken shared by every `up` from before hostprep.sh until its instances run (or it rolled back),
    /// and exclusively (without waiting) by `down` before it removes the mount targets: a sandbox that is
    /// starting keeps another sandbox's `down` from pulling the mount points out from under it.
    static func mountTargetsLock(exclusive: Bool, wait: Bool) throws(SandboxError) -> Lock? {
        try lock(name: "mount-targets.lock", operation: (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB))
    }

    /// Claims the /24s of `subnets` for the sandbox in `stateDirectory`, refusing any /24 that another
    /// live sandbox claimed or on which something already listens on port 22 (an sshd there would answer
    /// for ours, and ours could not bind).
    static func claim(subnets: [Int], addresses: [String], for stateDirectory: String) throws(SandboxError) {
        guard let lock = try lock(name: "subnets.lock", operation: LOCK_EX) else { return }
        defer { lock.release() }
        for subnet in subnets {
            let path = claimPath(subnet)
            guard let owner = try? String(contentsOfFile: path, encoding: .utf8), owner != stateDirectory else { continue }
            // A claim is live while its sandbox's state directory exists (down removes both).
            if FileManager.default.fileExists(atPath: owner) {
                throw .badOption("127.0.\(subnet).0/24 is used by the sandbox in \(owner); choose another --subnet, "
                                 + "or run `eicsetup sandbox down --state-dir \(owner)`")
            }
        }
        if let busy = addresses.first(where: { Loopback.isListening(host: $0, port: 22) }) {
            throw .badOption("something already listens on \(busy):22 (another sandbox or sshd?); choose another --subnet")
        }
        for subnet in subnets {
            do {
                try stateDirectory.write(toFile: claimPath(subnet), atomically: true, encoding: .utf8)
            } catch {
                throw .state("cannot write \(claimPath(subnet)): \(error.localizedDescription)")
            }
        }
    }

    /// Drops the claims held by the sandbox in `stateDirectory`.
    static func releaseClaims(of stateDirectory: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for entry in entries where entry.hasPrefix("subnet-") {
            let path = directory + "/" + entry
            if (try? String(contentsOfFile: path, encoding: .utf8)) == stateDirectory {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    private static func claimPath(_ subnet: Int) -> String { "\(directory)/subnet-\(subnet)" }

    /// nil when a non-waiting lock is held elsewhere.
    private static func lock(name: String, operation: Int32) throws(SandboxError) -> Lock? {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .state("cannot create \(directory): \(error.localizedDescription)")
        }
        let fd = open(directory + "/" + name, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .state("cannot open \(directory)/\(name): \(String(cString: strerror(errno)))") }
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw .state("cannot lock \(directory)/\(name): \(String(cString: strerror(code)))")
        }
        return Lock(fd: fd)
    }
}
