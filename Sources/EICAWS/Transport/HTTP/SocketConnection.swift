import COpenSSL
import EICCore
import EICCrypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A point in time an exchange must finish by (one deadline for connect, TLS, request and answer).
struct Deadline {
    let uptimeNanoseconds: UInt64
    let seconds: TimeInterval

    init(seconds: TimeInterval) {
        self.seconds = seconds
        uptimeNanoseconds = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
    }

    /// Milliseconds left for poll(2); 0 once passed.
    var remainingMilliseconds: Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        guard uptimeNanoseconds > now else { return 0 }
        return Int32(clamping: (uptimeNanoseconds - now + 999_999) / 1_000_000)
    }
}

/// One TCP connection, optionally with TLS on it. Non-blocking underneath, so that every wait is a
/// poll(2) bounded by the exchange's deadline; callers run on `BlockingWorkers`, never on the
/// cooperative pool. Not thread-safe: one exchange at a time owns it.
final class SocketConnection {
    private let fd: Int32
    private var ssl: OpaquePointer?
    /// Where it goes (`scheme://host:port` of the route), to pool it.
    let routeKey: String

    private init(fd: Int32, routeKey: String) {
        self.fd = fd
        self.routeKey = routeKey
    }

    deinit {
        if let ssl { SSL_free(ssl) }
        Glibc.close(fd)
    }

    /// Resolves `host` and connects to the first address that answers.
    static func connect(host: String, port: Int, routeKey: String, deadline: Deadline) throws(HTTPClientError) -> SocketConnection {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connect(status == EAI_NONAME || status == EAI_AGAIN ? "host name \(host) not found" : "cannot resolve \(host): "
                               + String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastProblem = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { lastProblem = String(cString: strerror(errno)); continue }
            let connection = SocketConnection(fd: fd, routeKey: routeKey)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return connection }
            guard errno == EINPROGRESS else { lastProblem = Self.connectProblem(errno); continue }
            guard connection.wait(for: Int16(POLLOUT), deadline) else {
                throw .timeout(deadline.seconds)
            }
            var problem: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &length)
            if problem == 0 { return connection }
            lastProblem = Self.connectProblem(problem)
        }
        throw .connect("\(host) port \(port): \(lastProblem)")
    }

    private static func connectProblem(_ code: Int32) -> String {
        code == ECONNREFUSED ? "connection refused" : String(cString: strerror(code))
    }

    /// Starts TLS, checking the certificate chain against `context`'s trust store and the name (or IP) against `host`.
    func startTLS(host: String, context: TLSContext, deadline: Deadline) throws(HTTPClientError) {
        guard let ssl = SSL_new(context.context) else { throw .tls("cannot create a TLS session") }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        if CIDR.host(host) != nil {  // an IP address: no name to check or send as SNI
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = eicsetup_ssl_set_server_name(ssl, host)
            SSL_set1_host(ssl, host)
        }
        while true {
            ERR_clear_error()
            let result = SSL_connect(ssl)
            if result == 1 { return }
            let problem = SSL_get_error(ssl, result)
            switch problem {
            case SSL_ERROR_WANT_READ:
                guard wait(for: Int16(POLLIN), deadline) else { throw .timeout(deadline.seconds) }
            case SSL_ERROR_WANT_WRITE:
                guard wait(for: Int16(POLLOUT), deadline) else { throw .timeout(deadline.seconds) }
            default:
                let verify = SSL_get_verify_result(ssl)
                if verify != X509_V_OK {
                    throw .tls("the certificate of \(host) is not trusted: " + String(cString: X509_verify_cert_error_string(verify)))
                }
                throw .tls("handshake with \(host) failed: " + Self.openSSLProblem())
            }
        }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8], deadline: Deadline) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let written: Int = bytes.withUnsafeBytes { buffer in
                let start = buffer.baseAddress.map { $0 + offset }
                if let ssl {
                    ERR_clear_error()
                    return Int(SSL_write(ssl, start, Int32(clamping: bytes.count - offset)))
                }
                return send(fd, start, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 { offset += written; continue }
            if let ssl {
                switch SSL_get_error(ssl, Int32(written)) {
                case SSL_ERROR_WANT_READ: guard wait(for: Int16(POLLIN), deadline) else { throw .timeout(deadline.seconds) }
                case SSL_ERROR_WANT_WRITE: guard wait(for: Int16(POLLOUT), deadline) else { throw .timeout(deadline.seconds) }
                default: throw .closed(beforeAnswer: true)
                }
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                guard wait(for: Int16(POLLOUT), deadline) else { throw .timeout(deadline.seconds) }
            } else if errno != EINTR {
                throw .closed(beforeAnswer: true)
            }
        }
    }

    /// Reads what is available (at most `count` bytes), waiting until the deadline; empty at the end of the stream.
    func read(upTo count: Int, deadline: Deadline) throws(HTTPClientError) -> ArraySlice<UInt8> {
        var chunk = [UInt8](repeating: 0, count: count)
        while true {
            let got: Int = chunk.withUnsafeMutableBytes { buffer in
                if let ssl {
                    ERR_clear_error()
                    return Int(SSL_read(ssl, buffer.baseAddress, Int32(clamping: count)))
                }
                return recv(fd, buffer.baseAddress, count, 0)
            }
            if got > 0 { return chunk[0..<got] }
            if let ssl {
                switch SSL_get_error(ssl, Int32(got)) {
                case SSL_ERROR_WANT_READ: guard wait(for: Int16(POLLIN), deadline) else { throw .timeout(deadline.seconds) }
                case SSL_ERROR_WANT_WRITE: guard wait(for: Int16(POLLOUT), deadline) else { throw .timeout(deadline.seconds) }
                // A clean close_notify, or a server that just closed the socket (common, and harmless
                // where the body's length is known, which the reader checks).
                default: return []
                }
            } else if got == 0 {
                return []
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                guard wait(for: Int16(POLLIN), deadline) else { throw .timeout(deadline.seconds) }
            } else if errno != EINTR {
                return []
            }
        }
    }

    /// True when an idle pooled connection can carry another request: the server has neither closed it
    /// nor sent anything unasked.
    var isReusable: Bool {
        if let ssl, SSL_pending(ssl) > 0 { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    private func wait(for events: Int16, _ deadline: Deadline) -> Bool {
        while true {
            let left = deadline.remainingMilliseconds
            guard left > 0 else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, left)
            if ready > 0 { return true }
            if ready == 0 { return false }
            if errno != EINTR { return true }  // let the next call report the socket's own error
        }
    }

    static func openSSLProblem() -> String {
        CryptoError.openSSLReason() ?? "the connection was closed"
    }
}
