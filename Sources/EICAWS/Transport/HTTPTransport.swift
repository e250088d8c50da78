import Foundation

/// A request as the transport sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// Seconds to wait for an answer; 60 like the AWS CLI, since a retry after a timeout can repeat a
    /// call that did happen (CreatePolicy → EntityAlreadyExists).
    public var timeout: TimeInterval

    public init(method: String, url: URL, headers: [HTTPHeader] = [], body: [UInt8] = [], timeout: TimeInterval = 60) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A response with the status, lower-cased header names and the raw body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Sends one HTTP request. The seam where tests could count calls; production uses `SocketHTTPTransport`.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse
}

/// HTTP/1.1 on eicsetup's own client (`HTTPClient`: sockets and OpenSSL, pooled keep-alive connections,
/// the environment's proxies).
public struct SocketHTTPTransport: HTTPTransport {
    /// The largest answer read (a 1,000-instance DescribeInstances page is a few MB).
    static let bodyLimit = 256 << 20

    public init() {}

    public func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse {
        switch await HTTPClient.shared.send(request, bodyLimit: Self.bodyLimit) {
        case .success(let response): return response
        case .failure(let failure):
            throw AWSError(kind: .transport, service: request.url.host ?? "endpoint", operation: request.method,
                           code: "TransportError", message: "\(request.url.absoluteString): \(failure)")
        }
    }
}
