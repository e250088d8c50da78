import Foundation

/// HTTP/1.1 over the sockets and the OpenSSL already linked for signing and SSH, in place of URLSession:
/// on Linux URLSession brings libcurl with its TLS, Kerberos and LDAP libraries, about 14 MiB of every
/// run's resident memory (bench/RESULTS.md, issue 20) for the few HTTPS calls eicsetup makes.
///
/// Keep-alive connections are pooled per route; a request that finds its pooled connection closed by the
/// server (before any byte of an answer) is sent again once on a new connection, as curl does. Every
/// exchange has one deadline, connect to last byte. Blocking work runs on `BlockingWorkers`.
///
/// `@unchecked Sendable`: the idle pool is only touched while holding `lock`.
final class HTTPClient: @unchecked Sendable {
    static let shared = HTTPClient(proxies: ProxySettings.from(ProcessInfo.processInfo.environment))

    /// Idle connections kept per route, and threads for blocking exchanges (URLSession's per-host limit was 16).
    static let connectionsPerRoute = 16

    private let workers = BlockingWorkers(name: "http", limit: HTTPClient.connectionsPerRoute)
    private let proxies: Result<ProxySettings, HTTPClientError>
    private let tls: () -> Result<TLSContext, HTTPClientError>
    private let lock = NSLock()
    private var idle: [String: [SocketConnection]] = [:]

    init(proxies: Result<ProxySettings, HTTPClientError>, tls: @escaping () -> Result<TLSContext, HTTPClientError> = { TLSContext.shared }) {
        self.proxies = proxies
        self.tls = tls
    }

    /// Sends `request` and reads its answer (at most `bodyLimit` bytes of body).
    func send(_ request: HTTPRequest, bodyLimit: Int) async -> Result<HTTPResponse, HTTPClientError> {
        await workers.run { self.exchange(request, bodyLimit: bodyLimit) }
    }

    private func exchange(_ request: HTTPRequest, bodyLimit: Int) -> Result<HTTPResponse, HTTPClientError> {
        let deadline = Deadline(seconds: request.timeout)
        do throws(HTTPClientError) {
            let route = try Route(request.url, proxies: proxies.get())
            let head = try route.requestHead(request)
            for attempt in 0..<2 {
                let pooled = attempt == 0 ? takeIdle(route.key) : nil
                let connection: SocketConnection
                if let pooled { connection = pooled } else { connection = try open(route, deadline: deadline) }
                var reader = HTTPResponseReader(connection: connection, deadline: deadline)
                do throws(HTTPClientError) {
                    try connection.write(head + request.body, deadline: deadline)
                    let (response, reusable) = try reader.readResponse(isHead: request.method == "HEAD", bodyLimit: bodyLimit)
                    if reusable { putIdle(connection) }
                    return .success(response)
                } catch .closed(beforeAnswer: true) where pooled != nil && !reader.receivedAny {
                    continue  // the server had closed the idle connection: once more on a new one
                }
            }
            return .failure(.closed(beforeAnswer: true))
        } catch {
            return .failure(error)
        }
    }

    private func open(_ route: Route, deadline: Deadline) throws(HTTPClientError) -> SocketConnection {
        let connection = try SocketConnection.connect(host: route.connectHost, port: route.connectPort, routeKey: route.key, deadline: deadline)
        if let tunnel = route.tunnelRequest {
            try connection.write(tunnel, deadline: deadline)
            var reader = HTTPResponseReader(connection: connection, deadline: deadline)
            let (answer, _) = try reader.readResponse(isHead: true, bodyLimit: 0)
            guard answer.status == 200 else {
                throw .proxy("the proxy refused the tunnel to \(route.host):\(route.port) (HTTP \(answer.status))")
            }
        }
        if route.tls { try connection.startTLS(host: route.host, context: tls().get(), deadline: deadline) }
        return connection
    }

    private func takeIdle(_ key: String) -> SocketConnection? {
        while let connection = lock.withLock({ idle[key]?.popLast() }) {
            if connection.isReusable { return connection }
        }
        return nil
    }

    private func putIdle(_ connection: SocketConnection) {
        lock.withLock {
            var list = idle[connection.routeKey] ?? []
            guard list.count < Self.connectionsPerRoute else { return }
            list.append(connection)
            idle[connection.routeKey] = list
        }
    }
}

/// Where a request goes: straight to its host, or through a proxy (absolute-form for http, a CONNECT tunnel for https).
struct Route {
    let tls: Bool
    let host: String
    let port: Int
    let proxy: ProxyEndpoint?
    /// The path and query as sent (already percent-encoded, exactly what was signed).
    let target: String

    init(_ url: URL, proxies: ProxySettings) throws(HTTPClientError) {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw .badURL("\(url.absoluteString): only http and https")
        }
        guard let host = components.host?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), !host.isEmpty else {
            throw .badURL("\(url.absoluteString) has no host")
        }
        tls = scheme == "https"
        self.host = host
        port = components.port ?? (tls ? 443 : 80)
        guard (1...65535).contains(port) else { throw .badURL("port \(port)") }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        proxy = proxies.proxy(forHost: host, tls: tls)
    }

    var connectHost: String { proxy?.host ?? host }
    var connectPort: Int { proxy?.port ?? port }
    var key: String { "\(tls ? "https" : "http")://\(host):\(port)" + (proxy.map { " via \($0.host):\($0.port)" } ?? "") }

    /// `host` or `host:port` (brackets around IPv6), as the Host header and CONNECT want it.
    var authority: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// The CONNECT request that opens a tunnel through the proxy, for https.
    var tunnelRequest: [UInt8]? {
        guard tls, let proxy else { return nil }
        let name = host.contains(":") ? "[\(host)]" : host
        var text = "CONNECT \(name):\(port) HTTP/1.1\r\nHost: \(name):\(port)\r\n"
        if let authorization = proxy.authorization { text += "Proxy-Authorization: \(authorization)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// The request line and headers. Header names and values with a line break are refused: they would
    /// let a value start a header or a request of its own.
    func requestHead(_ request: HTTPRequest) throws(HTTPClientError) -> [UInt8] {
        let absolute = proxy != nil && !tls
        var text = "\(request.method) \(absolute ? "http://\(authority)\(target)" : target) HTTP/1.1\r\n"
        var hostHeader = authority
        var hasUserAgent = false
        for header in request.headers {
            // By scalars: "\r\n" is one Character, equal to neither "\r" nor "\n".
            guard !(header.name + header.value).unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }), !header.name.isEmpty else {
                throw .badURL("header \(header.name) contains a line break")
            }
            switch header.name.lowercased() {
            case "host": hostHeader = header.value
            case "content-length", "connection", "transfer-encoding": continue
            default:
                if header.name.lowercased() == "user-agent" { hasUserAgent = true }
                text += "\(header.name): \(header.value)\r\n"
            }
        }
        text += "Host: \(hostHeader)\r\n"
        if !hasUserAgent { text += "User-Agent: eicsetup\r\n" }
        if absolute, let authorization = proxy?.authorization { text += "Proxy-Authorization: \(authorization)\r\n" }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) { text += "Content-Length: \(request.body.count)\r\n" }
        return Array((text + "\r\n").utf8)
    }
}
