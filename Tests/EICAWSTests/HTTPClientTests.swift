@testable import EICAWS
import EICTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import EICSandbox

/// eicsetup's own HTTP/1.1 client against real loopback peers: a Python HTTP/1.1 server and proxy
/// (Tests/Support/http_peer.py) and `openssl s_server` for TLS.
@Suite(.serialized) struct HTTPClientTests {
    static let direct = HTTPClient(proxies: .success(ProxySettings()))

    static func withPeer(_ body: (Int) async throws -> Void) async throws {
        try await LoopbackServer.withPythonPeer("http_peer.py", body)
    }

    /// A self-signed certificate for IP 127.0.0.1 and an `openssl s_server -www` using it.
    static func withTLSServer(_ body: (Int, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eicsetup-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (cert, key) = (directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path)
        let made = await ChildProcess.wait(try ChildProcess.spawn(["/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                         "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=eicsetup-test",
                                         "-addext", "subjectAltName=IP:127.0.0.1"], stdout: "/dev/null", stderr: "/dev/null",
                                                                  environment: ProcessInfo.processInfo.environment, newSession: false))
        #expect(made == 0)
        let (server, port) = try await LoopbackServer.start { port in
            ["/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet"]
        }
        defer {
            kill(server, SIGTERM)
            ChildProcess.reapIfExited(server)
        }
        try await body(port, cert)
    }

    static func get(_ client: HTTPClient, _ url: String) async -> Result<HTTPResponse, HTTPClientError> {
        await client.send(HTTPRequest(method: "GET", url: URL(string: url)!, timeout: 10), bodyLimit: 1 << 20)
    }

    /// The body of a successful GET (untyped throws, for `#expect`).
    static func text(_ client: HTTPClient, _ url: String) async throws -> String {
        try await answer(client, url).bodyText
    }

    static func answer(_ client: HTTPClient, _ url: String) async throws -> HTTPResponse {
        switch await get(client, url) {
        case .success(let response): return response
        case .failure(let error): throw error
        }
    }

    /// Connections the peer accepted so far (its start-up check opened one too).
    static func connections(_ client: HTTPClient, _ port: Int) async throws -> String {
        try await text(client, "http://127.0.0.1:\(port)/connections")
    }

    @Test func chunkedAndSizedAnswersShareOneKeptAliveConnection() async throws {
        try await Self.withPeer { port in
            let client = HTTPClient(proxies: .success(ProxySettings()))
            let before = try await Self.connections(client, port)
            let chunked = try await Self.text(client, "http://127.0.0.1:\(port)/chunked")
            #expect(chunked == "hello, chunked")
            let sized = try await Self.text(client, "http://127.0.0.1:\(port)/length")
            #expect(sized == "hello")
            let after = try await Self.connections(client, port)
            #expect(after == before)
        }
    }

    @Test func aConnectionTheServerClosedWhileIdleIsReplacedNotFailed() async throws {
        try await Self.withPeer { port in
            let client = HTTPClient(proxies: .success(ProxySettings()))
            let before = try await Self.connections(client, port)
            let bye = try await Self.text(client, "http://127.0.0.1:\(port)/close")
            #expect(bye == "bye")
            try await Task.sleep(for: .milliseconds(100))
            let after = try await Self.connections(client, port)
            #expect(Int(after) == Int(before).map { $0 + 1 })
        }
    }

    @Test func aRefusedConnectionSaysSo() async throws {
        let port = try LoopbackPort.free()
        let result = await Self.get(Self.direct, "http://127.0.0.1:\(port)/")
        guard case .failure(.connect(let why)) = result else { Issue.record("expected a connect failure, got \(result)"); return }
        #expect(why.contains("connection refused"))
    }

    @Test func aLineBreakInAHeaderIsRefusedBeforeAnythingIsSent() async throws {
        try await Self.withPeer { port in
            let before = try await Self.text(Self.direct, "http://127.0.0.1:\(port)/requests")
            let request = HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/length")!,
                                      headers: [HTTPHeader("X-Test", "a\r\nX-Injected: 1")], timeout: 10)
            let result = await Self.direct.send(request, bodyLimit: 1024)
            guard case .failure(.badURL(let why)) = result else { Issue.record("expected a refusal, got \(result)"); return }
            #expect(why.contains("line break"))
            let after = try await Self.text(Self.direct, "http://127.0.0.1:\(port)/requests")
            #expect(Int(after) == Int(before).map { $0 + 1 })
        }
    }

    @Test func aSelfSignedCertificateIsRefusedUnlessItsBundleIsTrusted() async throws {
        try await Self.withTLSServer { port, cert in
            let refused = await Self.get(Self.direct, "https://127.0.0.1:\(port)/")
            guard case .failure(.tls(let why)) = refused else { Issue.record("expected a TLS refusal, got \(refused)"); return }
            #expect(why.contains("not trusted"))

            let trusting = HTTPClient(proxies: .success(ProxySettings()), tls: { TLSContext.make(caBundle: cert) })
            let answer = try await Self.answer(trusting, "https://127.0.0.1:\(port)/")
            #expect(answer.status == 200)
            #expect(answer.bodyText.contains("s_server"))
            // The certificate names 127.0.0.1 only: the same server by another name is refused.
            let misnamed = await Self.get(trusting, "https://localhost:\(port)/")
            guard case .failure = misnamed else { Issue.record("a certificate for 127.0.0.1 was accepted for localhost"); return }
        }
    }

    @Test func proxiesCarryPlainRequestsAndTunnelTLSEndToEnd() async throws {
        try await Self.withPeer { proxyPort in
            try await Self.withTLSServer { tlsPort, cert in
                let proxy = ProxyEndpoint(host: "127.0.0.1", port: proxyPort, authorization: nil)
                let settings = ProxySettings(http: proxy, https: proxy, noProxy: [], directForLocalHosts: false)
                let client = HTTPClient(proxies: .success(settings), tls: { TLSContext.make(caBundle: cert) })
                let tunnelled = try await Self.answer(client, "https://127.0.0.1:\(tlsPort)/")
                #expect(tunnelled.bodyText.contains("s_server"))
                let forwarded = try await Self.answer(client, "http://127.0.0.1:\(proxyPort)/length")
                #expect(forwarded.bodyText == "hello")
                let got7 = try await Self.text(Self.direct, "http://127.0.0.1:\(proxyPort)/proxied")
                #expect(got7 == "2")
            }
        }
    }

    @Test func proxySettingsFollowCurlsEnvironment() throws {
        let settings = try ProxySettings.from(["https_proxy": "http://user:p%40ss@proxy.example:3128", "http_proxy": "proxy.example",
                                               "NO_PROXY": ".internal.example, amazonaws.com.cn"]).get()
        #expect(settings.https == ProxyEndpoint(host: "proxy.example", port: 3128,
                                                authorization: "Basic " + Data("user:p@ss".utf8).base64EncodedString()))
        #expect(settings.http?.port == 1080)
        #expect(settings.proxy(forHost: "ec2.us-east-1.amazonaws.com", tls: true)?.port == 3128)
        #expect(settings.proxy(forHost: "ec2.cn-north-1.amazonaws.com.cn", tls: true) == nil)
        #expect(settings.proxy(forHost: "api.internal.example", tls: false) == nil)
        #expect(settings.proxy(forHost: "127.0.0.1", tls: false) == nil)
        #expect(settings.proxy(forHost: "169.254.169.254", tls: false) == nil)
        // Local by address, not by how the name begins.
        for local in ["localhost", "127.1.2.3", "::1", "fe80::1", "fd00:ec2::254"] { #expect(ProxySettings.isLocal(local), "\(local)") }
        for remote in ["127.example.com", "169.254.example.com", "10.0.0.1", "fe80.example.com", "2001:db8::1"] {
            #expect(!ProxySettings.isLocal(remote), "\(remote)")
        }
        let uppercaseHTTPOnly = try ProxySettings.from(["HTTP_PROXY": "http://proxy.example:8080"]).get()
        #expect(uppercaseHTTPOnly.http == nil)
        guard case .failure(.proxy) = ProxySettings.from(["https_proxy": "https://proxy.example:443"]) else {
            Issue.record("an https:// proxy URL was accepted"); return
        }
    }
}
