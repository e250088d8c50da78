import Foundation

/// Signs, sends and retries AWS calls in the Query (EC2, IAM, STS) and JSON 1.1 (EC2 Instance Connect) protocols.
/// Service clients (`EC2Client`, `IAMClient`, …) wrap it with typed operations.
public struct AWSClient: Sendable {
    public let region: String
    public let endpoints: EndpointResolver
    public let credentials: CredentialChain
    public let retry: RetryPolicy
    let transport: any HTTPTransport
    /// Counts calls per "service:Operation" (the benchmark reports them; the planner's budget is checked with them).
    public let metrics: AWSCallMetrics
    /// Injected so signing is testable and retries can be made instant in tests.
    let clock: @Sendable () -> Date
    let sleep: @Sendable (Double) async -> Void
    /// Told about every attempt (`-v`).
    public var observer: AWSCallObserver = .none

    public init(region: String, endpoints: EndpointResolver, credentials: CredentialChain, maxAttempts: Int,
                transport: any HTTPTransport, metrics: AWSCallMetrics = AWSCallMetrics(),
                clock: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Double) async -> Void = { seconds in
                    try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000)) }) {
        self.region = region
        self.endpoints = endpoints
        self.credentials = credentials
        self.retry = RetryPolicy(maxAttempts: maxAttempts)
        self.transport = transport
        self.metrics = metrics
        self.clock = clock
        self.sleep = sleep
    }

    /// A Query-protocol call: form-encoded `Action`/`Version` plus `parameters`; returns the parsed XML answer,
    /// without the elements named in `skipping` (see `XMLNode.parse`).
    public func query(_ service: AWSService, _ action: String, _ parameters: [QueryItem] = [],
                      skipping: Set<String> = []) async throws(AWSError) -> XMLNode {
        let form = ([QueryItem("Action", action), QueryItem("Version", service.apiVersion)] + parameters)
            .map { "\(SigV4Encoding.formEncode($0.name))=\(SigV4Encoding.formEncode($0.value))" }
            .joined(separator: "&")
        let response = try await send(service, action, body: Array(form.utf8), headers: [
            HTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
        ])
        guard let document = XMLNode.parse(response.body, skipping: skipping) else {
            throw AWSError(kind: .malformedResponse, service: service.signingName, operation: action,
                           code: "MalformedXML", message: "the answer was not XML (HTTP \(response.status))")
        }
        return document
    }

    /// A JSON 1.1 call with `X-Amz-Target: <targetPrefix>.<action>`; returns the raw JSON body.
    public func json(_ service: AWSService, targetPrefix: String, _ action: String, body: [UInt8]) async throws(AWSError) -> [UInt8] {
        try await send(service, action, body: body, headers: [
            HTTPHeader("Content-Type", "application/x-amz-json-1.1"),
            HTTPHeader("X-Amz-Target", "\(targetPrefix).\(action)"),
        ]).body
    }

    /// Signs and sends with retries; returns only 2xx answers, everything else becomes an `AWSError`.
    func send(_ service: AWSService, _ action: String, body: [UInt8], headers: [HTTPHeader]) async throws(AWSError) -> HTTPResponse {
        let endpoint = try endpoints.resolve(service)
        var attempt = 0
        while true {
            attempt += 1
            await metrics.record("\(service.signingName):\(action)")
            let started = Date()
            var answer: HTTPResponse?
            do throws(AWSError) {
                let credentials = try await self.credentials.resolve().credentials
                let request = try signedRequest(endpoint: endpoint, service: service, credentials: credentials,
                                                body: body, headers: headers)
                let response: HTTPResponse
                do {
                    response = try await transport.send(request)
                } catch where error.kind == .transport {
                    // The transport knows only the URL; name the call the operator made.
                    throw AWSError(kind: .transport, service: service.signingName, operation: action,
                                   code: error.code, message: error.message)
                }
                answer = response
                if (200..<300).contains(response.status) {
                    observer.observe(AWSCallEvent(
                        service: service.signingName, operation: action, attempt: attempt, httpStatus: response.status,
                        errorCode: nil, requestId: response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"],
                        duration: Date().timeIntervalSince(started), willRetry: false))
                    return response
                }
                throw Self.serviceError(response, service: service, action: action)
            } catch {
                var failure = error
                failure.attempts = attempt
                let retrying = attempt < retry.maxAttempts && retry.isRetryable(failure)
                if failure.kind == .service || failure.kind == .transport || failure.kind == .malformedResponse {
                    observer.observe(AWSCallEvent(
                        service: service.signingName, operation: action, attempt: attempt,
                        httpStatus: answer?.status ?? failure.httpStatus, errorCode: failure.code, requestId: failure.requestId,
                        duration: Date().timeIntervalSince(started), willRetry: retrying))
                }
                guard retrying else { throw failure }
                await sleep(retry.delay(afterAttempt: attempt))
            }
        }
    }

    func signedRequest(endpoint: ResolvedEndpoint, service: AWSService, credentials: AWSCredentials,
                       body: [UInt8], headers: [HTTPHeader]) throws(AWSError) -> HTTPRequest {
        let url = endpoint.url
        guard let host = url.host else { throw .configuration("endpoint \(url) has no host") }
        let defaultPort = url.scheme == "https" ? 443 : 80
        let hostHeader = url.port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host
        let path = url.path.isEmpty ? "/" : url.path
        let unsigned = SignableRequest(method: "POST", path: path,
                                       headers: [HTTPHeader("Host", hostHeader)] + headers, body: body)
        let signer = SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: service.signingName)
        let signed = signer.sign(unsigned, date: clock()).request
        return HTTPRequest(method: "POST", url: url, headers: signed.headers, body: body)
    }

    /// Turns an error answer (XML or JSON) into an `AWSError` with code, message and request id.
    static func serviceError(_ response: HTTPResponse, service: AWSService, action: String) -> AWSError {
        var code = "HTTP\(response.status)"
        // Neither an XML nor a JSON error document: some other web server answered (a wrong endpoint or a
        // path); its page is not worth printing.
        let contentType = response.headers["content-type"].map { ", \($0)" } ?? ""
        var message = "not an AWS API answer (HTTP \(response.status)\(contentType)); check the endpoint URL"
        var requestId = response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"]
        if let xml = XMLNode.parse(response.body), let error = xml.first("Error") {
            code = error.string("Code") ?? code
            message = error.string("Message") ?? ""
            requestId = xml.first("RequestId")?.text ?? xml.first("RequestID")?.text ?? requestId
        } else if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] {
            if let type = (object["__type"] as? String) ?? (object["code"] as? String) {
                code = type.split(separator: "#").last.map(String.init) ?? type
            }
            message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
        }
        return AWSError(kind: .service, service: service.signingName, operation: action, code: code,
                        message: message, requestId: requestId, httpStatus: response.status)
    }
}

/// Counts AWS calls by "service:Operation", attempts included.
public actor AWSCallMetrics {
    public private(set) var counts: [String: Int] = [:]

    public init() {}

    func record(_ name: String) {
        counts[name, default: 0] += 1
    }

    /// Total calls made through clients sharing this counter.
    public var total: Int { counts.values.reduce(0, +) }
}
