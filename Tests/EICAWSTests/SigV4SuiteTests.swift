import Foundation
import Testing
@testable import EICAWS

/// Runs every case of AWS's SigV4 test suite (a copy in Fixtures/sigv4-test-suite, so the repository tests
/// on its own): canonical request, string to sign and signature must match byte for byte, in header and in
/// query (presign) form.
@Suite struct SigV4SuiteTests {
    /// Tests/EICAWSTests/Fixtures/sigv4-test-suite, found from this file's path.
    static let suiteDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigv4-test-suite")

    /// The 38 cases, named here rather than listed from the directory: a missing or unreadable case fails
    /// its test instead of silently running zero cases.
    static let caseNames = [
        "get-header-key-duplicate", "get-header-value-multiline", "get-header-value-order", "get-header-value-trim",
        "get-relative-normalized", "get-relative-relative-normalized", "get-relative-relative-unnormalized",
        "get-relative-unnormalized", "get-slash-dot-slash-normalized", "get-slash-dot-slash-unnormalized",
        "get-slash-normalized", "get-slash-pointless-dot-normalized", "get-slash-pointless-dot-unnormalized",
        "get-slash-unnormalized", "get-slashes-normalized", "get-slashes-unnormalized", "get-space-normalized",
        "get-space-unnormalized", "get-unreserved", "get-utf8", "get-vanilla", "get-vanilla-empty-query-key",
        "get-vanilla-query", "get-vanilla-query-order-encoded", "get-vanilla-query-order-key-case",
        "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-vanilla-with-session-token",
        "post-header-key-case", "post-header-key-sort", "post-header-value-case", "post-sts-header-after",
        "post-sts-header-before", "post-vanilla", "post-vanilla-empty-query-value", "post-vanilla-query",
        "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters",
    ]

    @Test func theWholeSuiteIsPresent() throws {
        let present = try FileManager.default.contentsOfDirectory(atPath: Self.suiteDirectory.path)
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
        #expect(present == Self.caseNames, "cases in \(Self.suiteDirectory.path)")
    }

    @Test("header signing", arguments: caseNames)
    func headerForm(_ name: String) throws {
        let testCase = try SigV4TestCase(directory: Self.suiteDirectory.appendingPathComponent(name))
        let result = testCase.signer.sign(testCase.request, date: testCase.date, options: testCase.options)
        #expect(result.canonicalRequest == (try testCase.expected("header-canonical-request.txt")))
        #expect(result.stringToSign == (try testCase.expected("header-string-to-sign.txt")))
        #expect(result.signature == (try testCase.expected("header-signature.txt")))
        let authorization = try #require(result.request.header("Authorization"))
        #expect(authorization.hasSuffix("Signature=\(result.signature)"))
        print("sigv4 \(name) [header]: ok")
    }

    @Test("query presigning", arguments: caseNames)
    func queryForm(_ name: String) throws {
        let testCase = try SigV4TestCase(directory: Self.suiteDirectory.appendingPathComponent(name))
        var options = testCase.options
        options.signBody = false  // presigned URLs carry no x-amz-content-sha256 header
        let result = testCase.signer.presign(testCase.request, date: testCase.date,
                                             expires: testCase.expires, options: options)
        #expect(result.canonicalRequest == (try testCase.expected("query-canonical-request.txt")))
        #expect(result.stringToSign == (try testCase.expected("query-string-to-sign.txt")))
        #expect(result.signature == (try testCase.expected("query-signature.txt")))
        #expect(result.request.query.last == QueryItem("X-Amz-Signature", result.signature))
        print("sigv4 \(name) [query]: ok")
    }

    @Test func secretNeverAppearsInTheSignedRequest() throws {
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "sts")
        let result = signer.sign(SignableRequest(method: "POST", headers: [HTTPHeader("Host", "sts.amazonaws.com")]),
                                 date: Date(timeIntervalSince1970: 1_440_938_160))
        let everything = result.request.headers.map { "\($0.name):\($0.value)" }.joined() + result.canonicalRequest
            + result.stringToSign + "\(credentials)"
        #expect(!everything.contains(credentials.secretAccessKey))
    }
}

/// One folder of the suite, parsed.
struct SigV4TestCase {
    let directory: URL
    let signer: SigV4Signer
    let request: SignableRequest
    let date: Date
    let expires: Int
    let options: SigV4Signer.Options

    init(directory: URL) throws {
        self.directory = directory
        let context = try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("context.json"))) as? [String: Any] ?? [:]
        let credentials = context["credentials"] as? [String: Any] ?? [:]
        signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: credentials["access_key_id"] as? String ?? "",
                                        secretAccessKey: credentials["secret_access_key"] as? String ?? "",
                                        sessionToken: credentials["token"] as? String),
            region: context["region"] as? String ?? "",
            service: context["service"] as? String ?? "")
        date = try #require(ISO8601DateFormatter().date(from: context["timestamp"] as? String ?? ""))
        expires = context["expiration_in_seconds"] as? Int ?? 0
        var options = SigV4Signer.Options()
        options.normalizePath = context["normalize"] as? Bool ?? true
        options.signBody = context["sign_body"] as? Bool ?? false
        options.omitSessionTokenFromSignature = context["omit_session_token"] as? Bool ?? false
        self.options = options
        request = try Self.parseRawRequest(String(decoding: Data(contentsOf: directory.appendingPathComponent("request.txt")), as: UTF8.self))
    }

    func expected(_ file: String) throws -> String {
        String(decoding: try Data(contentsOf: directory.appendingPathComponent(file)), as: UTF8.self)
    }

    /// Parses the suite's raw HTTP/1.1 request text (paths may contain spaces; headers may fold).
    static func parseRawRequest(_ text: String) throws -> SignableRequest {
        var lines = text.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let afterMethod = requestLine.dropFirst(method.count + 1)
        let target = try #require(afterMethod.range(of: " HTTP/", options: .backwards)).lowerBound
        let uri = String(afterMethod[..<target])
        var request = SignableRequest(method: method)
        if let mark = uri.firstIndex(of: "?") {
            request.path = String(uri[..<mark])
            request.query = uri[uri.index(after: mark)...].split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return QueryItem(SigV4Encoding.decode(String(parts[0])),
                                 SigV4Encoding.decode(parts.count > 1 ? String(parts[1]) : ""))
            }
        } else {
            request.path = uri
        }
        while !lines.isEmpty {
            let line = lines.removeFirst()
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t", !request.headers.isEmpty {
                request.headers[request.headers.count - 1].value += "\n" + line
                continue
            }
            let colon = try #require(line.firstIndex(of: ":"))
            request.headers.append(HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        request.body = Array(lines.joined(separator: "\n").utf8)
        return request
    }
}
