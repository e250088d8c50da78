import EICCrypto
import Foundation

/// A minimal ssh-agent client (draft-miller-ssh-agent): list identities, sign with flags. We speak the
/// protocol ourselves because libssh2 1.10's agent API requests SHA-1 `ssh-rsa` signatures for RSA keys,
/// which OpenSSH ≥ 8.8 refuses; with our own client RSA agent keys sign as rsa-sha2-256.
final class SSHAgentClient {
    /// One key the agent holds.
    struct Identity {
        var blob: [UInt8]
        var comment: String
        var keyType: String
    }

    /// SSH_AGENT_RSA_SHA2_256: ask for an rsa-sha2-256 signature.
    static let rsaSHA256Flag: UInt32 = 2

    private let fd: Int32
    private let socketPath: String

    /// Connects to the agent's UNIX socket.
    init(socketPath: String) throws(SSHError) {
        self.socketPath = socketPath
        let operation = "connect to ssh-agent at \(socketPath)"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SSHError(.agent, operation: operation, message: String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            close(fd)
            throw SSHError(.agent, operation: operation, message: "the socket path is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard status == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw SSHError(.agent, operation: operation, message: "\(reason); is ssh-agent running and SSH_AUTH_SOCK right?")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The agent's keys.
    func identities() throws(SSHError) -> [Identity] {
        let reply = try request([11])  // SSH_AGENTC_REQUEST_IDENTITIES
        guard reply.first == 12 else { throw protocolError("the agent refused to list its keys") }
        var reader = SSHWireReader(Array(reply.dropFirst()))
        do {
            let count = try reader.uint32()
            var result: [Identity] = []
            for _ in 0..<count {
                let blob = try reader.string()
                let comment = try reader.text()
                var blobReader = SSHWireReader(blob)
                result.append(Identity(blob: blob, comment: comment, keyType: try blobReader.text()))
            }
            return result
        } catch {
            throw protocolError("malformed key list from the agent")
        }
    }

    /// Asks the agent to sign `data` with the key `blob`; returns the raw signature (without its
    /// algorithm-name wrapper, which libssh2 adds back).
    func sign(blob: [UInt8], data: [UInt8], flags: UInt32) throws(SSHError) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.string(blob)
        writer.string(data)
        writer.uint32(flags)
        let reply = try request([13] + writer.bytes)  // SSH_AGENTC_SIGN_REQUEST
        guard reply.first == 14 else { throw protocolError("the agent refused to sign (is the key confirmed/locked?)") }
        do {
            var outer = SSHWireReader(Array(reply.dropFirst()))
            var inner = SSHWireReader(try outer.string())
            _ = try inner.text()  // algorithm name, e.g. rsa-sha2-256
            return try inner.string()
        } catch {
            throw protocolError("malformed signature from the agent")
        }
    }

    private func request(_ payload: [UInt8]) throws(SSHError) -> [UInt8] {
        var framed = SSHWireWriter()
        framed.string(payload)
        try sendAll(framed.bytes)
        var lengthReader = SSHWireReader(try receive(4))
        guard let length = try? lengthReader.uint32(), length < 256 * 1024 else {
            throw protocolError("oversized reply from the agent")
        }
        return try receive(Int(length))
    }

    private func sendAll(_ bytes: [UInt8]) throws(SSHError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw protocolError("the agent closed the connection") }
            offset += sent
        }
    }

    private func receive(_ count: Int) throws(SSHError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = buffer[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { throw protocolError("the agent closed the connection") }
            offset += got
        }
        return buffer
    }

    private func protocolError(_ message: String) -> SSHError {
        SSHError(.agent, operation: "ssh-agent at \(socketPath)", message: message)
    }
}
