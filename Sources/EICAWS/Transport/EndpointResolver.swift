import EICCore
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
        // An empty value is refused, not skipped: `--endpoint-url "$UNSET"` must not send real credentials to
        // the real AWS endpoint. (botocore skips an empty AWS_ENDPOINT_URL*; refusing is the safe side.)
        for case let (value?, source) in candidates {
            return ResolvedEndpoint(url: try Self.parse(value, source: source), signingRegion: signingRegion, source: source)
        }
        let host: String
        let suffix = Self.dnsSuffix(for: region)
        switch service {
        case .iam:
            if region.hasPrefix("cn-") { host = "iam.cn-north-1.amazonaws.com.cn" }
            else if region.hasPrefix("us-gov-") { host = "iam.us-gov.amazonaws.com" }
            else { host = "iam.amazonaws.com" }
        case .ec2, .sts, .ec2InstanceConnect, .ssm:
            host = "\(service.signingName).\(region).\(suffix)"
        }
        return ResolvedEndpoint(url: try Self.parse("https://\(host)", source: "default"),
                                signingRegion: signingRegion, source: "default")
    }

    /// The environment variables that name endpoints, in no particular order.
    static var environmentNames: [String] {
        ["AWS_ENDPOINT_URL"] + AWSService.allCases.map { "AWS_ENDPOINT_URL_\($0.environmentSuffix)" }
    }

    /// An endpoint is scheme, host and optional port only: eicsetup signs and sends to "/", so a path
    /// would be dropped silently (or, kept, answered by some web page instead of the API).
    static func parse(_ value: String, source: String) throws(AWSError) -> URL {
        let example = "(example: http://127.0.0.1:5000)"
        guard !value.isEmpty else {
            throw .configuration("empty value for \(source); give an endpoint URL \(example) or leave it unset")
        }
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw .configuration("\(source) '\(value)' is not an http(s) URL \(example)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .configuration("\(source) '\(value)': port \(port) is not between 1 and 65535")
        }
        guard components.path.isEmpty || components.path == "/" else {
            throw .configuration("\(source) '\(value)' has a path (\(components.path)); give only scheme, host and port \(example)")
        }
        guard components.query == nil, components.fragment == nil, components.user == nil, components.password == nil,
              let url = URL(string: value) else {
            throw .configuration("\(source) '\(value)' may hold only scheme, host and port \(example)")
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
        TextShape.isRegionName(region)
    }
}
