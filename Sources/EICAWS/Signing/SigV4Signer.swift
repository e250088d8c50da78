import EICCrypto
import Foundation

/// AWS Signature Version 4, as a pure value: the date is a parameter, nothing is read from the environment.
///
/// The stages follow the AWS document: canonical request → string to sign → signing key → signature.
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"

    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    /// Choices the SigV4 test suite varies; defaults are what AWS services expect.
    public struct Options: Sendable {
        /// Remove `.`/`..` and duplicate slashes from the path (false only for S3-style services).
        public var normalizePath = true
        /// Add and sign `x-amz-content-sha256`.
        public var signBody = false
        /// Add the session token after signing instead of signing it (some older services want this).
        public var omitSessionTokenFromSignature = false
        public init() {}
    }

    /// A signed request together with the intermediate strings (useful for tests and `-v` diagnostics;
    /// none of them contains the secret).
    public struct Result: Sendable {
        public var request: SignableRequest
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
    }

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs with an `Authorization` header.
    public func sign(_ request: SignableRequest, date: Date, options: Options = Options()) -> Result {
        let amzDate = AMZDate(date)
        var request = request
        request.headers.append(HTTPHeader("X-Amz-Date", amzDate.timestamp))
        let token = credentials.sessionToken
        if let token, !options.omitSessionTokenFromSignature {
            request.headers.append(HTTPHeader("X-Amz-Security-Token", token))
        }
        let payloadHash = Hex.encode(Digest.sha256(request.body))
        if options.signBody {
            request.headers.append(HTTPHeader("x-amz-content-sha256", payloadHash))
        }
        let canonical = canonicalRequest(request, payloadHash: payloadHash, normalizePath: options.normalizePath)
        let toSign = stringToSign(canonicalRequest: canonical.text, date: amzDate)
        let signature = self.signature(stringToSign: toSign, date: amzDate)
        request.headers.append(HTTPHeader(
            "Authorization",
            "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope(amzDate)), "
                + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"))
        if let token, options.omitSessionTokenFromSignature {
            request.headers.append(HTTPHeader("X-Amz-Security-Token", token))
        }
        return Result(request: request, canonicalRequest: canonical.text, stringToSign: toSign, signature: signature)
    }

    /// Signs with query parameters (a presigned URL valid for `expires` seconds).
    public func presign(_ request: SignableRequest, date: Date, expires: Int, options: Options = Options()) -> Result {
        let amzDate = AMZDate(date)
        var request = request
        let signedHeaders = canonicalHeaders(request.headers).signedHeaders
        request.query.append(contentsOf: [
            QueryItem("X-Amz-Algorithm", Self.algorithm),
            QueryItem("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(amzDate))"),
            QueryItem("X-Amz-Date", amzDate.timestamp),
            QueryItem("X-Amz-SignedHeaders", signedHeaders),
            QueryItem("X-Amz-Expires", String(expires)),
        ])
        let token = credentials.sessionToken
        if let token, !options.omitSessionTokenFromSignature {
            request.query.append(QueryItem("X-Amz-Security-Token", token))
        }
        let payloadHash = Hex.encode(Digest.sha256(request.body))
        let canonical = canonicalRequest(request, payloadHash: payloadHash, normalizePath: options.normalizePath)
        let toSign = stringToSign(canonicalRequest: canonical.text, date: amzDate)
        let signature = self.signature(stringToSign: toSign, date: amzDate)
        if let token, options.omitSessionTokenFromSignature {
            request.query.append(QueryItem("X-Amz-Security-Token", token))
        }
        request.query.append(QueryItem("X-Amz-Signature", signature))
        return Result(request: request, canonicalRequest: canonical.text, stringToSign: toSign, signature: signature)
    }

    // MARK: - Stages

    /// Task 1: the canonical request.
    func canonicalRequest(_ request: SignableRequest, payloadHash: String, normalizePath: Bool)
        -> (text: String, signedHeaders: String) {
        let headers = canonicalHeaders(request.headers)
        let text = [
            request.method.uppercased(),
            SigV4Encoding.encodePath(request.path, normalize: normalizePath),
            SigV4Encoding.canonicalQueryString(request.query),
            headers.block,
            headers.signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (text, headers.signedHeaders)
    }

    /// Lower-cased names, sorted; values trimmed with inner whitespace runs collapsed; repeats joined by `,`.
    func canonicalHeaders(_ headers: [HTTPHeader]) -> (block: String, signedHeaders: String) {
        var merged: [String: [String]] = [:]
        for header in headers {
            merged[header.name.lowercased(), default: []].append(Self.collapseWhitespace(header.value))
        }
        let names = merged.keys.sorted()
        let block = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Task 2: the string to sign.
    func stringToSign(canonicalRequest: String, date: AMZDate) -> String {
        [Self.algorithm, date.timestamp, scope(date), Hex.encode(Digest.sha256(canonicalRequest))]
            .joined(separator: "\n")
    }

    /// Tasks 3 and 4: derive the signing key and sign.
    func signature(stringToSign: String, date: AMZDate) -> String {
        let dateKey = Digest.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), date.day)
        let regionKey = Digest.hmacSHA256(key: dateKey, region)
        let serviceKey = Digest.hmacSHA256(key: regionKey, service)
        let signingKey = Digest.hmacSHA256(key: serviceKey, "aws4_request")
        return Hex.encode(Digest.hmacSHA256(key: signingKey, stringToSign))
    }

    func scope(_ date: AMZDate) -> String {
        "\(date.day)/\(region)/\(service)/aws4_request"
    }

    static func collapseWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }
}
