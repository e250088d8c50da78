import EICAWS
import Foundation

/// An in-memory `HTTPTransport`: answers each request with `answer` and keeps every request it saw,
/// so a test drives the production client (signing, retries, credential chain) without a peer.
final class FakeTransport: HTTPTransport, @unchecked Sendable {  // `seen` is guarded by `lock`
    private let lock = NSLock()
    private var seen: [HTTPRequest] = []
    private let answer: @Sendable (HTTPRequest, Int) throws(AWSError) -> HTTPResponse

    /// - Parameter answer: called with the request and how many requests came before it.
    init(answer: @escaping @Sendable (HTTPRequest, Int) throws(AWSError) -> HTTPResponse) {
        self.answer = answer
    }

    var requests: [HTTPRequest] {
        lock.withLock { seen }
    }

    func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse {
        let index = lock.withLock {
            seen.append(request)
            return seen.count - 1
        }
        return try answer(request, index)
    }

    static func xml(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "text/xml"], body: Array(body.utf8))
    }

    static func json(_ body: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(body.utf8))
    }

    /// What STS answers to GetCallerIdentity.
    static let callerIdentity = """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>\
        <Arn>arn:aws:iam::123456789012:user/fake</Arn><UserId>AIDAFAKE</UserId><Account>123456789012</Account>\
        </GetCallerIdentityResult><ResponseMetadata><RequestId>fake-1</RequestId></ResponseMetadata>\
        </GetCallerIdentityResponse>
        """
}

/// Records the pauses `AWSClient` takes between attempts instead of sleeping.
actor SleepRecorder {
    private(set) var delays: [Double] = []

    func record(_ seconds: Double) {
        delays.append(seconds)
    }

    func takeAll() -> [Double] {
        defer { delays.removeAll() }
        return delays
    }
}
