#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens a TCP connection with a deadline (a plain blocking `connect` can hang for minutes on a
/// filtered port). Returns a blocking socket ready for libssh2.
enum SocketConnector {
    static func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(SSHError) -> Int32 {
        let operation = "connect to \(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw SSHError(.connect, operation: operation, message: "cannot resolve the address (\(reason)); check --host")
        }
        defer { freeaddrinfo(list) }

        var lastError: Int32 = 0
        var timedOut = false
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = errno; continue }
            let result = attempt(fd: fd, address: info.pointee.ai_addr, length: info.pointee.ai_addrlen,
                                 timeoutMilliseconds: timeoutMilliseconds)
            switch result {
            case .connected: return fd
            case .failed(let code): lastError = code
            case .timedOut: timedOut = true
            }
            close(fd)
        }
        if timedOut {
            throw SSHError(.timeout, operation: operation,
                           message: "no answer within \(timeoutMilliseconds / 1000) s; check the address, port and security group")
        }
        let reason = String(cString: strerror(lastError))
        throw SSHError(.connect, operation: operation, message: "\(reason); check that sshd runs and the port is open")
    }

    #if canImport(Glibc)
    private static let systemConnect = Glibc.connect
    #else
    private static let systemConnect = Darwin.connect
    #endif

    private enum Outcome { case connected, failed(Int32), timedOut }

    private static func attempt(fd: Int32, address: UnsafeMutablePointer<sockaddr>?, length: socklen_t,
                                timeoutMilliseconds: Int) -> Outcome {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if systemConnect(fd, address, length) != 0 {
            guard errno == EINPROGRESS else { return .failed(errno) }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: timeoutMilliseconds))
            guard ready > 0 else { return ready == 0 ? .timedOut : .failed(errno) }
            var socketError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &size)
            guard socketError == 0 else { return .failed(socketError) }
        }
        // libssh2 runs the socket in blocking mode with its own timeout.
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return .connected
    }
}
