import EICCore
import Foundation

/// An HTTP proxy to send requests through: plain requests in absolute form, TLS ones in a CONNECT tunnel.
struct ProxyEndpoint: Sendable, Equatable {
    var host: String
    var port: Int
    /// `Basic …` from the proxy URL's user and password, sent only to the proxy.
    var authorization: String?
}

/// The proxies the environment names, as curl (and so URLSession on Linux) reads them: `https_proxy` /
/// `HTTPS_PROXY` for https URLs, `http_proxy` for http ones (not `HTTP_PROXY`, which a CGI request can set),
/// `all_proxy` / `ALL_PROXY` for both, and `no_proxy` / `NO_PROXY` for hosts to reach directly.
/// Loopback and link-local hosts (the sandbox, the instance metadata service) are always reached directly.
struct ProxySettings: Sendable, Equatable {
    var http: ProxyEndpoint?
    var https: ProxyEndpoint?
    var noProxy: [String] = []
    /// Loopback and link-local hosts never go through a proxy (tests turn this off to reach a loopback proxy).
    var directForLocalHosts = true

    static func from(_ environment: [String: String]) -> Result<ProxySettings, HTTPClientError> {
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        do {
            let all = try value("all_proxy", "ALL_PROXY").map(parse)
            let settings = ProxySettings(
                http: try value("http_proxy").map(parse) ?? all,
                https: try value("https_proxy", "HTTPS_PROXY").map(parse) ?? all,
                noProxy: (value("no_proxy", "NO_PROXY") ?? "").split(separator: ",")
                    .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
            return .success(settings)
        } catch let error as HTTPClientError {
            return .failure(error)
        } catch {
            return .failure(.proxy(String(describing: error)))
        }
    }

    /// `http://[user:password@]host[:port]`, or `host:port`; curl's default port 1080 when none is given.
    static func parse(_ text: String) throws -> ProxyEndpoint {
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let components = URLComponents(string: withScheme), let host = components.host, !host.isEmpty else {
            throw HTTPClientError.proxy("\(text) is not a proxy URL (http://host:port)")
        }
        guard components.scheme?.lowercased() == "http" else {
            throw HTTPClientError.proxy("\(text): only http:// proxies are supported (TLS to the server still runs end to end through them)")
        }
        var authorization: String?
        if let user = components.user {
            let credentials = "\(user.removingPercentEncoding ?? user):\(components.password?.removingPercentEncoding ?? "")"
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        }
        return ProxyEndpoint(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: components.port ?? 1080,
                             authorization: authorization)
    }

    /// The proxy for `host`, or nil to connect directly.
    func proxy(forHost host: String, tls: Bool) -> ProxyEndpoint? {
        guard let endpoint = tls ? https : http else { return nil }
        let name = host.lowercased()
        if directForLocalHosts && Self.isLocal(name) { return nil }
        for pattern in noProxy {
            if pattern == "*" { return nil }
            let domain = pattern.hasPrefix(".") ? String(pattern.dropFirst()) : pattern
            if name == domain || name.hasSuffix("." + domain) { return nil }
        }
        return endpoint
    }

    /// localhost, or an IP address that is loopback (127/8, ::1), link-local (169.254/16, fe80::/10) or
    /// the instance metadata service's IPv6 address (fd00:ec2::254).
    static func isLocal(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        guard let address = CIDR.host(host) else { return false }
        let bytes = address.bytes
        if !address.isIPv6 { return bytes[0] == 127 || (bytes[0] == 169 && bytes[1] == 254) }
        return address.text == "::1/128" || address.text == "fd00:ec2::254/128" || (bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80)
    }
}
