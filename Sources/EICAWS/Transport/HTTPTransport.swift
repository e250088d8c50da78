import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

/// Sends one HTTP request. The seam where tests could count calls; production uses URLSession.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse
}

/// HTTP over Foundation's URLSession (libcurl on Linux).
public struct URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.httpMaximumConnectionsPerHost = 16
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for header in request.headers where header.name.lowercased() != "host" {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            urlRequest.httpBody = Data(request.body)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch {
            throw AWSError(kind: .transport, service: request.url.host ?? "endpoint", operation: request.method,
                           code: "TransportError", message: "\(request.url.absoluteString): " + Self.describe(error, request))
        }
        guard let http = response as? HTTPURLResponse else {
            throw AWSError(kind: .malformedResponse, service: request.url.host ?? "endpoint", operation: request.method,
                           code: "NotHTTP", message: "the answer was not HTTP")
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: Array(data))
    }

    /// Short words for what went wrong; on Linux Foundation's own text is often just "NSURLErrorDomain -1000".
    static func describe(_ error: any Error, _ request: HTTPRequest) -> String {
        guard let urlError = error as? URLError else { return error.localizedDescription }
        switch urlError.code {
        case .badURL, .unsupportedURL: return "not a usable URL (check the host and port)"
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host name not found"
        case .timedOut: return "no answer within \(Int(request.timeout)) s"
        case .networkConnectionLost: return "the connection was closed before the answer was complete"
        case .notConnectedToInternet: return "no network"
        case .cancelled: return "cancelled (interrupted)"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS failed (is the endpoint really https?)"
        default: return "\(urlError.localizedDescription) (URL error \(urlError.code.rawValue))"
        }
    }
}
