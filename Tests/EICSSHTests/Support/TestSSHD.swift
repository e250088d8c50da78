import Foundation
import EICSSH

/// A real OpenSSH sshd for one test, on a loopback address and a free high port, stopped by `stop()`.
/// With `namespace` files it runs inside `unshare --mount` with those files bind-mounted over the
/// system paths, so the probe reads them exactly as on a real host.
final class TestSSHD: @unchecked Sendable {  // test helper; mutated only by the owning test
    let directory: String
    let address: String
    /// Chosen free at start; a restart keeps it (known_hosts entries are per [host]:port).
    private(set) var port: Int
    let logPath: String
    private var process: Shell.Child?
    private let extraConfig: String
    private let mounts: [String: String]

    /// - Parameter mounts: system path → replacement content written to a temp file/dir and bind-mounted.
    init(address: String = "127.0.0.1", extraConfig: String = "", publicKeys: [String] = TestKeys.shared.allPublicKeys,
         mounts: [String: String] = [:], etcSSHFiles: [String: String] = [:]) throws {
        self.address = address
        self.extraConfig = extraConfig
        self.mounts = mounts
        directory = try Shell.makeTemporaryDirectory("sshd")
        logPath = directory + "/sshd.log"
        port = try Self.freePort(address)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try publicKeys.joined().write(toFile: directory + "/authorized_keys", atomically: true, encoding: .utf8)
        try newHostKey()
        for (name, content) in etcSSHFiles {
            let path = directory + "/etc-ssh/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try content.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var hostKeyPath: String { directory + "/etc-ssh/ssh_host_ed25519_key" }

    /// Replaces the host key (the next start presents a different key).
    func newHostKey() throws {
        try FileManager.default.createDirectory(atPath: directory + "/etc-ssh", withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: hostKeyPath)
        try? FileManager.default.removeItem(atPath: hostKeyPath + ".pub")
        try Shell.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKeyPath])
    }

    func restart() throws {
        stop()
        try start(allowNewPort: false)
    }

    /// Starts sshd; if it exits at once (the free port was taken meanwhile by another process's
    /// connection), tries again on another port, up to three times.
    func start(allowNewPort: Bool = true) throws {
        var lastError: Error?
        for attempt in 0..<(allowNewPort ? 3 : 1) {
            if attempt > 0 { port = try Self.freePort(address) }
            do {
                try launch()
                return
            } catch {
                lastError = error
                stop()
            }
        }
        throw lastError ?? Shell.Failure(command: ["sshd"], status: -1, stderr: "sshd did not start")
    }

    private func launch() throws {
        let namespaced = !mounts.isEmpty
        let hostKey = namespaced ? "/etc/ssh/ssh_host_ed25519_key" : hostKeyPath
        let config = """
            ListenAddress \(address):\(port)
            HostKey \(hostKey)
            AuthorizedKeysFile \(directory)/authorized_keys
            StrictModes no
            PidFile none
            UsePAM no
            MaxStartups 200:30:300
            LogLevel VERBOSE
            \(extraConfig)

            """
        try config.write(toFile: directory + "/etc-ssh/sshd_config", atomically: true, encoding: .utf8)
        if namespaced {
            var script = "set -e; mount --bind \(directory)/etc-ssh /etc/ssh; "
            for (index, (target, content)) in mounts.sorted(by: { $0.key < $1.key }).enumerated() {
                let source = directory + "/mount\(index)"
                if content.hasPrefix("DIR:") {
                    try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
                    for entry in content.dropFirst(4).split(separator: "\u{1}") {
                        let parts = entry.split(separator: "\u{2}", maxSplits: 1).map(String.init)
                        let file = source + "/" + parts[0]
                        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                                withIntermediateDirectories: true)
                        try parts[1].write(toFile: file, atomically: true, encoding: .utf8)
                    }
                } else {
                    try content.write(toFile: source, atomically: true, encoding: .utf8)
                    chmod(source, 0o755)
                }
                script += "mount --bind \(source) \(target); "
            }
            script += "exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config"
            process = try Shell.spawn(["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script],
                                      stderr: logPath)
        } else {
            process = try Shell.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", directory + "/etc-ssh/sshd_config"],
                                      stderr: logPath)
        }
        try waitUntilListening()
    }

    func stop() {
        process?.terminate()
        process = nil
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func options(identity: SSHIdentity, knownHosts: String, policy: HostKeyPolicy = .acceptNew,
                 user: String = "root", passphrase: PassphraseSource = .none) -> SSHConnectionOptions {
        SSHConnectionOptions(host: address, port: port, user: user, identity: identity, knownHostsPath: knownHosts,
                             hostKeyPolicy: policy, passphrase: passphrase, connectTimeoutMilliseconds: 60_000,
                             commandTimeoutMilliseconds: 180_000)  // budgets for a loaded 2-core CI machine
    }

    /// Up to 60 s: on a loaded 2-core machine sshd can take far longer than usual to listen.
    private func waitUntilListening() throws {
        for _ in 0..<1200 {
            if Self.canConnect(address, port) { return }
            if process?.isRunning == false { break }
            usleep(50_000)
        }
        throw Shell.Failure(command: ["sshd"], status: -1, stderr: "sshd did not start: \(log)")
    }

    private static func canConnect(_ address: String, _ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &addr.sin_addr)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func freePort(_ address: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        inet_pton(AF_INET, address, &addr.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ptr -> Bool in
                bind(fd, ptr, length) == 0 && getsockname(fd, ptr, &length) == 0
            }
        }
        guard bound else { throw Shell.Failure(command: ["bind"], status: errno, stderr: "no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// A directory-shaped bind mount for `TestSSHD(mounts:)`: relative path → content.
func directoryMount(_ files: [String: String]) -> String {
    "DIR:" + files.map { "\($0.key)\u{2}\($0.value)" }.joined(separator: "\u{1}")
}
