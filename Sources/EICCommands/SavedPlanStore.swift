import EICCore
import EICCrypto
import Foundation

/// The I/O of saved plans: a new file only (never through a symlink, never over an existing file),
/// mode 0600, sealed with an HMAC-SHA-256 keyed by a per-user secret kept in the user's config
/// directory. The key makes a saved plan tamper-evident for anyone who cannot read that directory:
/// an edited plan (a wider CIDR, another action) no longer matches its MAC and apply refuses it.
enum SavedPlanStore {
    /// Refuses `path` before any work when it exists (or is a symlink, even a dangling one).
    static func checkNew(_ path: String) throws {
        var info = stat()
        if lstat(path, &info) == 0 {
            throw CommandError.usage("--out \(path) already exists; give a path to a new file (plan --out never overwrites a file or follows a symlink).")
        }
    }

    /// Writes `saved`, sealed, to the new file `path`.
    static func write(_ saved: SavedPlan, to path: String, environment: [String: String]) throws {
        let key = try SavedPlanKey.loadOrCreate(environment: environment)
        let text = try SealedSavedPlan.seal(saved) { Hex.encode(Digest.hmacSHA256(key: key, data: $0)) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "already exists" : String(cString: strerror(errno))
            throw CommandError.usage("--out \(path): \(reason); give a path to a new file (plan --out never overwrites a file or follows a symlink).")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw CommandError.usage("cannot write \(path): \(reason)")
        }
    }

    /// The saved plan in `text` (read from `path`) when its MAC verifies with this user's key.
    static func read(_ text: String, path: String, environment: [String: String]) throws -> SavedPlan {
        guard let key = try SavedPlanKey.load(environment: environment) else {
            throw PlanError.savedPlanRefused(file: path, .tampered)
        }
        return try SealedSavedPlan.open(text, file: path) { Hex.encode(Digest.hmacSHA256(key: key, data: $0)) }
    }
}

/// The per-user MAC key: 32 random bytes in `$XDG_CONFIG_HOME/eicsetup/saved-plan.key` (else
/// `~/.config/eicsetup/`), created on first use with mode 0600 in a 0700 directory, and refused when
/// someone else could read or replace it.
enum SavedPlanKey {
    static func path(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? (NSHomeDirectory() + "/.config")
        return base + "/eicsetup/saved-plan.key"
    }

    /// The key, or nil when there is none yet.
    static func load(environment: [String: String]) throws -> [UInt8]? {
        let file = path(environment: environment)
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw CommandError.usage("cannot read the saved-plan key \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            throw CommandError.usage("the saved-plan key \(file) must be a regular file of yours with mode 0600; remove it and run `eicsetup plan --out` again")
        }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
        let text = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Hex.decode(text), key.count == 32 else {
            throw CommandError.usage("the saved-plan key \(file) is damaged; remove it and run `eicsetup plan --out` again")
        }
        return key
    }

    /// The key, created first when there is none.
    static func loadOrCreate(environment: [String: String]) throws -> [UInt8] {
        if let key = try load(environment: environment) { return key }
        let file = path(environment: environment)
        let directory = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = try SecureRandom.bytes(32)
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // Another eicsetup created it in the meantime: use that one.
            if errno == EEXIST, let existing = try load(environment: environment) { return existing }
            throw CommandError.usage("cannot create the saved-plan key \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array((Hex.encode(key) + "\n").utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            unlink(file)
            throw CommandError.usage("cannot write the saved-plan key \(file)")
        }
        return key
    }
}
