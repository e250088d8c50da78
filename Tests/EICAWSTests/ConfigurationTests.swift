import EICTestSupport
import Foundation
import Testing
@testable import EICAWS

/// Pure resolution rules: INI parsing, region and endpoint precedence.
@Suite struct ConfigurationTests {
    @Test(arguments: [("us-east-1", true), ("eu-central-2", true), ("us-gov-west-1", true), ("cn-north-1", true),
                      ("ap-southeast-10", true), ("us-east-123", false), ("us-east", false), ("US-east-1", false),
                      ("u-east-1", false), ("us--1", false), ("us-east-1a", false), ("useast1", false), ("", false)])
    func regionNamesAreCheckedForTheirShape(_ region: String, _ plausible: Bool) {
        #expect(EndpointResolver.isPlausibleRegion(region) == plausible)
    }

    @Test func iniParsingFollowsTheAWSCLIConventions() throws {
        let config = """
        # comment
        [default]
        region = eu-west-1
        [profile ops]
        role_arn = arn:aws:iam::123456789012:role/ops
        source_profile = default
        s3 =
          max_concurrent_requests = 20
        [sso-session corp]
        sso_region = us-east-1
        """
        let parsed = try SharedConfigFiles.parseINI(config, profilePrefix: true)
        #expect(parsed["default"]?["region"] == "eu-west-1")
        #expect(parsed["ops"]?["role_arn"] == "arn:aws:iam::123456789012:role/ops")
        #expect(parsed["ops"]?["max_concurrent_requests"] == nil, "nested blocks are not top-level keys")
        #expect(parsed["corp"] == nil && parsed["sso-session corp"] == nil)
        let credentials = try SharedConfigFiles.parseINI("[ops]\naws_access_key_id=AKIA1\n", profilePrefix: false)
        #expect(credentials["ops"]?["aws_access_key_id"] == "AKIA1")
    }

    @Test func endpointPrecedenceIsFlagThenServiceVariableThenGlobalVariableThenProfile() throws {
        let environment = ["AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:1001", "AWS_ENDPOINT_URL": "http://127.0.0.1:1002"]
        let withFlag = EndpointResolver(region: "eu-west-1", explicitURL: "http://127.0.0.1:1000", environment: environment,
                                        profileEndpointURL: "http://127.0.0.1:1003")
        #expect(try withFlag.resolve(.ec2).url.absoluteString == "http://127.0.0.1:1000")
        let fromEnvironment = EndpointResolver(region: "eu-west-1", explicitURL: nil, environment: environment,
                                               profileEndpointURL: "http://127.0.0.1:1003")
        #expect(try fromEnvironment.resolve(.ec2).source == "AWS_ENDPOINT_URL_EC2")
        #expect(try fromEnvironment.resolve(.iam).url.absoluteString == "http://127.0.0.1:1002")
        let fromProfile = EndpointResolver(region: "eu-west-1", explicitURL: nil, environment: [:],
                                           profileEndpointURL: "http://127.0.0.1:1003")
        #expect(try fromProfile.resolve(.sts).source == "profile endpoint_url")
        let real = EndpointResolver(region: "eu-west-1", explicitURL: nil, environment: [:], profileEndpointURL: nil)
        #expect(try real.resolve(.ec2).url.absoluteString == "https://ec2.eu-west-1.amazonaws.com")
        #expect(try real.resolve(.ec2InstanceConnect).url.absoluteString == "https://ec2-instance-connect.eu-west-1.amazonaws.com")
        #expect(try real.resolve(.iam).url.absoluteString == "https://iam.amazonaws.com")
        #expect(try real.resolve(.iam).signingRegion == "us-east-1", "IAM is signed for the partition's home region")
        let china = EndpointResolver(region: "cn-north-1", explicitURL: nil, environment: [:], profileEndpointURL: nil)
        #expect(try china.resolve(.sts).url.absoluteString == "https://sts.cn-north-1.amazonaws.com.cn")
        #expect(throws: AWSError.self) {
            try EndpointResolver(region: "us-east-1", explicitURL: "ftp://x", environment: [:], profileEndpointURL: nil).resolve(.ec2)
        }
    }

    @Test func regionPrecedenceAndValidation() throws {
        let directory = try TemporaryFiles.directory()
        let files = ["AWS_CONFIG_FILE": directory + "/config", "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
                     "AWS_EC2_METADATA_DISABLED": "true"]
        try "[default]\nregion = ap-south-1\n".write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        #expect(try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: nil, environment: files).region == "ap-south-1")
        let viaDefault = files.merging(["AWS_DEFAULT_REGION": "eu-north-1"]) { $1 }
        #expect(try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: nil, environment: viaDefault).region == "eu-north-1")
        let viaRegion = viaDefault.merging(["AWS_REGION": "us-west-2"]) { $1 }
        let resolved = try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: nil, environment: viaRegion)
        #expect(resolved.region == "us-west-2")
        #expect(resolved.regionSource == "AWS_REGION")
        #expect(try AWSConfiguration.resolve(profile: nil, region: "sa-east-1", endpointURL: nil, environment: viaRegion).region == "sa-east-1")
        #expect(throws: AWSError.self) {
            try AWSConfiguration.resolve(profile: nil, region: "us-east1", endpointURL: nil, environment: files)
        }
    }

    @Test func maxAttemptsComesFromTheEnvironment() throws {
        let environment = ["AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "5", "AWS_CONFIG_FILE": "/nonexistent/c",
                           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/k"]
        #expect(try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: nil, environment: environment).maxAttempts == 5)
    }

    @Test func retriesOnlyThrottlingTransientAnd5xx() {
        let policy = RetryPolicy(maxAttempts: 3)
        func error(_ code: String, _ status: Int) -> AWSError {
            AWSError(kind: .service, service: "ec2", operation: "X", code: code, message: "", httpStatus: status)
        }
        #expect(policy.isRetryable(error("RequestLimitExceeded", 503)))
        #expect(policy.isRetryable(error("Throttling", 400)))
        #expect(policy.isRetryable(error("InternalError", 500)))
        #expect(policy.isRetryable(error("Whatever", 502)))
        #expect(!policy.isRetryable(error("AccessDenied", 403)))
        #expect(!policy.isRetryable(error("InvalidPermission.Duplicate", 400)))
        #expect(!policy.isRetryable(error("SignatureDoesNotMatch", 403)))
        for attempt in 1...10 {
            let delay = policy.delay(afterAttempt: attempt)
            #expect(delay >= 0 && delay <= min(20, 0.1 * pow(2, Double(attempt - 1))))
        }
    }
}

/// Throw-away directories for config files.
enum TemporaryFiles {
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eicsetup-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        PeerReaper.removeAtExit(path)
        return path
    }
}
