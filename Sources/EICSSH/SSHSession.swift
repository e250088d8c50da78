import CLibSSH2
import EICCrypto
import Foundation

/// One libssh2 session: TCP socket, handshake, host-key check, user auth. Not thread-safe by design:
/// it is created, used and freed on one `DedicatedThread` (see `SSHConnection`).
final class SSHSession {
    let options: SSHConnectionOptions
    let raw: OpaquePointer
    let socket: Int32
    private var handshaken = false
    /// True when accept-new recorded this host's key during connect.
    private(set) var hostKeyAdded = false
    /// Why the connection was cut (a command timed out); every later call fails with this reason.
    var abandonedReason: String?

    private init(options: SSHConnectionOptions, raw: OpaquePointer, socket: Int32) {
        self.options = options
        self.raw = raw
        self.socket = socket
    }

    deinit {
        // An abandoned session's socket is shut down: there is nobody left to say goodbye to.
        if handshaken && abandonedReason == nil {
            _ = libssh2_session_disconnect_ex(raw, SSH_DISCONNECT_BY_APPLICATION, "closing", "")
        }
        libssh2_session_free(raw)
        close(socket)
    }

    /// Connects, verifies the host key (before any authentication), and authenticates.
    static func open(_ options: SSHConnectionOptions) throws(SSHError) -> SSHSession {
        try LibSSH2Runtime.ensureInitialized()
        // Load the key first: a bad key file or passphrase should fail before touching the network.
        let key: LoadedKey? = switch options.identity {
        case .keyFile(let path): try KeyFileLoader.load(path: path, passphrase: options.passphrase)
        case .agent: nil
        case .inMemory(let pair): .ed25519(pair)
        }
        let fd = try SocketConnector.connect(host: options.host, port: options.port,
                                             timeoutMilliseconds: options.connectTimeoutMilliseconds)
        guard let raw = eic_libssh2_session_init() else {
            close(fd)
            throw SSHError(.session, operation: "libssh2_session_init", message: "out of memory")
        }
        // From here on, deinit frees the session and closes the socket on every path.
        let session = SSHSession(options: options, raw: raw, socket: fd)
        try session.handshake()
        try session.verifyHostKey()
        switch (options.identity, key) {
        case (_, let key?): try session.authenticate(with: key)
        case (.agent(let socketPath), nil): try session.authenticateWithAgent(socketPath: socketPath)
        case (.keyFile, nil), (.inMemory, nil): break  // unreachable: these always yield a key
        }
        return session
    }

    var hostToken: String { KnownHosts.hostToken(host: options.host, port: options.port) }

    private func handshake() throws(SSHError) {
        libssh2_session_set_blocking(raw, 1)
        libssh2_session_set_timeout(raw, options.connectTimeoutMilliseconds)
        // Like OpenSSH, prefer the host key types already recorded for this host, so a server with
        // several host keys is checked against the one we know.
        let known = HostKeyVerifier.preferredKeyTypes(path: options.knownHostsPath, hostToken: hostToken)
        let supported = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]
        let preference = known.filter(supported.contains) + supported.filter { !known.contains($0) }
        _ = libssh2_session_method_pref(raw, LIBSSH2_METHOD_HOSTKEY, preference.joined(separator: ","))
        let rc = libssh2_session_handshake(raw, socket)
        guard rc == 0 else {
            let kind: SSHError.Kind = rc == LIBSSH2_ERROR_TIMEOUT ? .timeout : .session
            throw SSHError(kind, operation: "SSH handshake with \(options.host):\(options.port)", session: raw, code: rc,
                           message: "the server did not complete the SSH handshake; is this port an SSH server?")
        }
        handshaken = true
    }

    private func verifyHostKey() throws(SSHError) {
        var length = 0
        var type: Int32 = 0
        guard let pointer = libssh2_session_hostkey(raw, &length, &type), length > 0 else {
            throw SSHError(.session, operation: "read host key of \(hostToken)", session: raw,
                           message: "the server sent no host key")
        }
        let blob = pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        var reader = SSHWireReader(blob)
        guard let keyType = try? reader.text() else {
            throw SSHError(.session, operation: "read host key of \(hostToken)", message: "malformed host key")
        }
        hostKeyAdded = try HostKeyVerifier.verify(path: options.knownHostsPath, hostToken: hostToken, keyType: keyType,
                                                  keyBlob: blob, policy: options.hostKeyPolicy, record: options.recordNewHostKeys)
    }
}
