import Foundation

/// Where a call goes and which region it is signed for.
public struct ResolvedEndpoint: Sendable, Equatable {
    public let url: URL
    public let signingRegion: String
    /// Which rule chose it, for `whoami` ("--endpoint-url", "AWS_ENDPOINT_URL_EC2", "default", …).
    public let source: String
}

/// Endpoint precedence as in the AWS CLI: `--endpoint-url` > `AWS_ENDPOINT_URL_<SERVICE>` >
/// `AWS_ENDPOINT_URL` > the profile's `endpoint_url` > the real regional (or global) endpoint.
public struct EndpointResolver: Sendable {
    public let region: String
    let explicitURL: String?
    let environment: [String: String]
    let profileEndpointURL: String?

    public init(region: String, explicitURL: String?, environment: [String: String], profileEndpointURL: String?) {
        self.region = region
        self.explicitURL = explicitURL
        self.environment = environment
        self.profileEndpointURL = profileEndpointURL
    }

    public func resolve(_ service: AWSService) throws(AWSError) -> ResolvedEndpoint {
        let signingRegion = service.isGlobal ? Self.globalSigningRegion(for: region) : region
        let candidates: [(String?, String)] = [
            (explicitURL, "--endpoint-url"),
            (environment["AWS_ENDPOINT_URL_\(service.environmentSuffix)"], "AWS_ENDPOINT_URL_\(service.environmentSuffix)"),
            (environment["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"),
            (profileEndpointURL, "profile endpoint_url"),
        ]
        for case let (value?, source) in candidates where !value.isEmpty {
            return ResolvedEndpoint(url: try Self.parse(value, source: source), signingRegion: signingRegion, source: source)
        }
        let host: String
        let suffix = Self.dnsSuffix(for: region)
        switch service {
        case .iam:
            if region.hasPrefix("cn-") { host = "iam.cn-north-1.amazonaws.com.cn" }
            else if region.hasPrefix("us-gov-") { host = "iam.us-gov.amazonaws.com" }
            else { host = "iam.amazonaws.com" }
        case .ec2, .sts, .ec2InstanceConnect:
            host = "\(service.signingName).\(region).\(suffix)"
        }
        return ResolvedEndpoint(url: try Self.parse("https://\(host)", source: "default"),
                                signingRegion: signingRegion, source: "default")
    }

    static func parse(_ value: String, source: String) throws(AWSError) -> URL {
        guard let url = URL(string: value), let scheme = url.scheme, scheme == "http" || scheme == "https",
              url.host != nil else {
            throw .configuration("\(source) '\(value)' is not an http(s) URL (example: http://127.0.0.1:5000)")
        }
        return url
    }

    static func dnsSuffix(for region: String) -> String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }

    static func globalSigningRegion(for region: String) -> String {
        if region.hasPrefix("cn-") { return "cn-north-1" }
        if region.hasPrefix("us-gov-") { return "us-gov-west-1" }
        return "us-east-1"
    }

    /// Accepts names like `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`; rejects typos early.
    static func isPlausibleRegion(_ region: String) -> Bool {
        region.range(of: #"^[a-z]{2}(-[a-z]+)+-\d{1,2}$"#, options: .regularExpression) != nil
    }
}
