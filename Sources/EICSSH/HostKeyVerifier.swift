import EICCrypto
import Foundation
import Synchronization

/// Applies a `HostKeyPolicy` against a known_hosts file on disk.
enum HostKeyVerifier {
    /// Serialises read-check-append across sessions in this process, so 50 parallel first connections
    /// with accept-new neither lose lines nor write duplicates.
    private static let fileLock = NSLock()

    /// A parsed known_hosts file and the identity of the file it was read from.
    private struct Parsed {
        let stamp: FileStamp
        let bytes: [UInt8]
        let hosts: KnownHosts
    }

    /// Device, inode, size, modification and change times: any write, replacement or chmod changes it.
    private struct FileStamp: Equatable {
        let values: [Int]

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            values = [Int(info.st_dev), Int(info.st_ino), Int(info.st_size), info.st_mtim.tv_sec, info.st_mtim.tv_nsec,
                      info.st_ctim.tv_sec, info.st_ctim.tv_nsec]
        }
    }

    /// known_hosts files parsed in this process, by path, reused while the file's stamp is unchanged.
    /// Each connection used to read and parse the whole file twice (a fleet's file has one line per host,
    /// so N connections cost O(N²)), once of them under `fileLock`.
    private static let parsed = Mutex<[String: Parsed]>([:])
    /// Held while a changed or not yet seen file is read and parsed, so that the connections starting
    /// together (a plan opens `--parallelism` of them at once) parse it once and share it: each parsing
    /// it for itself held a copy per connection at the same time (200 × ~250 KB for a 1,000-host file,
    /// measured with heaptrack: most of plan's heap peak at parallelism 200).
    private static let parseLock = NSLock()

    /// The file's bytes and parse, from the cache when the file is unchanged; nil when it cannot be read
    /// (a missing file is empty, as before). Bytes, not text: OpenSSH reads known_hosts byte-wise, and
    /// one stray byte must not hide every host.
    /// How many times each path was read and parsed in this process (tests check the sharing with it).
    static let parseCounts = Mutex<[String: Int]>([:])

    private static func load(path: String, whileParsing: () -> Void = {}) -> (bytes: [UInt8], hosts: KnownHosts)? {
        guard let stamp = FileStamp(path: path) else {
            return FileManager.default.fileExists(atPath: path) ? nil : ([], KnownHosts(bytes: []))
        }
        if let hit = parsed.withLock({ $0[path] }), hit.stamp == stamp { return (hit.bytes, hit.hosts) }
        parseLock.lock()
        defer { parseLock.unlock() }
        // Another connection may have parsed this very version while this one waited.
        if let hit = parsed.withLock({ $0[path] }), hit.stamp == stamp { return (hit.bytes, hit.hosts) }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = Array(data)
        let hosts = KnownHosts(bytes: bytes)
        parseCounts.withLock { $0[path, default: 0] += 1 }
        whileParsing()
        // Keep it only if the file did not change while it was read.
        if FileStamp(path: path) == stamp { parsed.withLock { $0[path] = Parsed(stamp: stamp, bytes: bytes, hosts: hosts) } }
        return (bytes, hosts)
    }

    /// The key types to prefer in the handshake: those already known for this host.
    /// - Parameter whileParsing: runs after a parse, before it is shared; tests widen the window with it.
    static func preferredKeyTypes(path: String, hostToken: String, whileParsing: () -> Void = {}) -> [String] {
        (load(path: path, whileParsing: whileParsing)?.hosts ?? KnownHosts(bytes: [])).knownKeyTypes(hostToken: hostToken)
    }

    /// Accepts the key, appends it (accept-new), or throws the refusal OpenSSH would print.
    /// - Parameter afterReading: runs between reading the file and deciding; tests widen the race window
    ///   with it to prove the lock serialises read-check-append.
    /// - Parameter record: false trusts a new key (accept-new) in this process only, without writing.
    /// - Returns: true when the key was newly trusted (added to the file, or only to memory without `record`).
    @discardableResult
    static func verify(path: String, hostToken: String, keyType: String, keyBlob: [UInt8],
                       policy: HostKeyPolicy, record: Bool = true, afterReading: () -> Void = {}) throws(SSHError) -> Bool {
        fileLock.lock()
        defer { fileLock.unlock() }
        guard let (bytes, hosts) = load(path: path) else {
            throw SSHError(.hostKeyUnknown, operation: "host key check for \(hostToken)",
                           message: "cannot read \(path); fix its permissions or pass --known-hosts")
        }
        afterReading()
        let fingerprint = SSHFingerprint.sha256(ofPublicKeyBlob: keyBlob)
        let label = keyLabel(keyType)
        switch hosts.match(hostToken: hostToken, keyType: keyType, keyBlob: keyBlob) {
        case .known:
            return false
        case .revoked(let line):
            throw SSHError(.hostKeyChanged, operation: "host key check for \(hostToken)", message: """
                the \(label) host key (\(fingerprint)) is marked as revoked in \(path):\(line). \
                Host key verification failed; nothing was run.
                """)
        case .changed(let line):
            throw SSHError(.hostKeyChanged, operation: "host key check for \(hostToken)",
                           message: changedWarning(path: path, line: line, hostToken: hostToken, label: label,
                                                   fingerprint: fingerprint))
        case .unknown:
            guard policy == .acceptNew else {
                throw SSHError(.hostKeyUnknown, operation: "host key check for \(hostToken)", message: """
                    no \(label) host key for \(hostToken) is known in \(path) and host key checking is strict \
                    (the server offered \(fingerprint)). Nothing was run. Verify the fingerprint, then add it \
                    (e.g. ssh-keyscan) or use --host-keys accept-new.
                    """)
            }
            guard record else { return try trustInMemory(path: path, hostToken: hostToken, keyType: keyType, keyBlob: keyBlob) }
            try append(KnownHosts.line(hostToken: hostToken, keyType: keyType, keyBlob: keyBlob),
                       to: path, existing: bytes)
            return true
        }
    }

    /// Keys accept-new trusted without recording them, by known_hosts path and host: a later connection
    /// of this process to the same host must offer the same key (another one, of any type, is refused).
    /// The blob starts with the key type, so comparing blobs compares types too.
    private static let inMemory = Mutex<[String: [UInt8]]>([:])

    private static func trustInMemory(path: String, hostToken: String, keyType: String, keyBlob: [UInt8]) throws(SSHError) -> Bool {
        let slot = path + "\n" + hostToken
        let earlier = inMemory.withLock { trusted -> [UInt8]? in
            if let known = trusted[slot] { return known }
            trusted[slot] = keyBlob
            return nil
        }
        guard let earlier else { return true }
        guard earlier == keyBlob else {
            throw SSHError(.hostKeyChanged, operation: "host key check for \(hostToken)",
                           message: "the \(keyLabel(keyType)) host key of \(hostToken) changed since this process first saw it "
                               + "(now \(SSHFingerprint.sha256(ofPublicKeyBlob: keyBlob))). Host key verification failed; nothing was run.")
        }
        return false
    }

    private static func append(_ line: String, to path: String, existing: [UInt8]) throws(SSHError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            // Like OpenSSH creating ~/.ssh: private to the user.
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let prefix = existing.isEmpty || existing.last == UInt8(ascii: "\n") ? "" : "\n"
        let bytes = Array((prefix + line + "\n").utf8)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else {
            throw SSHError(.hostKeyUnknown, operation: "record host key",
                           message: "cannot write \(path) (\(String(cString: strerror(errno)))); nothing was run")
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw SSHError(.hostKeyUnknown, operation: "record host key", message: "short write to \(path); nothing was run")
        }
    }

    /// OpenSSH's names for key types in messages.
    static func keyLabel(_ keyType: String) -> String {
        switch keyType {
        case "ssh-ed25519": return "ED25519"
        case "ssh-rsa": return "RSA"
        case "ssh-dss": return "DSA"
        default: return keyType.hasPrefix("ecdsa-") ? "ECDSA" : keyType
        }
    }

    /// The warning OpenSSH prints for a changed host key, naming the file and line to fix.
    static func changedWarning(path: String, line: Int, hostToken: String, label: String, fingerprint: String) -> String {
        """
        host key has changed; refusing to connect.
        @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
        @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
        @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
        IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
        Someone could be eavesdropping on you right now (man-in-the-middle attack)!
        It is also possible that a host key has just been changed.
        The fingerprint for the \(label) key sent by the remote host is
        \(fingerprint).
        Please contact your system administrator.
        Add correct host key in \(path) to get rid of this message.
        Offending \(label) key in \(path):\(line)
        Host key for \(hostToken) has changed and you have requested strict checking.
        Host key verification failed.
        """
    }
}
