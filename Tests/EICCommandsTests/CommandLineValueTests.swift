import EICTestSupport
import Foundation
import Testing

/// Issue 8, defects 3 and 4: every number and endpoint from the command line or the environment is
/// checked at parse time (exit 64, a one-line reason) — never a trap, never a silent default.
@Suite struct CommandLineValueTests {
    /// No AWS or SSH settings of the caller leak in; AWS_EC2_METADATA_DISABLED keeps traffic on loopback.
    static let base: [String: String] = [
        "PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00", "AWS_SECRET_ACCESS_KEY": "secret-not-shown",
    ]

    static func usageError(_ arguments: [String], environment extra: [String: String] = [:],
                           mentioning expected: String) async throws {
        let output = try await CLIRunner.run(arguments, environment: base.merging(extra) { $1 })
        #expect(output.status == 64, "\(arguments) \(extra): exit \(output.status): \(output.all)")
        #expect(output.stderr.contains(expected), "\(arguments) \(extra): \(output.stderr)")
        #expect(!output.all.contains("Fatal error") && !output.all.contains("Backtrace"))
        #expect(!output.all.contains("secret-not-shown"))
    }

    @Test(arguments: ["2147484", "0", "-1", "86401", "99999999999999999999"])
    func inspectTimeoutOutOfRange(value: String) async throws {
        try await Self.usageError(["inspect", "--host", "127.0.0.1", "--user", "ec2-user", "--identity-file", "/etc/hostname",
                                   "--timeout", value], mentioning: "--timeout")
    }

    @Test(arguments: ["0", "65536", "-22"])
    func inspectPortOutOfRange(value: String) async throws {
        try await Self.usageError(["inspect", "--host", "127.0.0.1", "--user", "ec2-user", "--identity-file", "/etc/hostname",
                                   "--port", value], mentioning: "--port")
    }

    @Test(arguments: ["abc", "0", "51", "", "3.5", "-1"])
    func maxAttemptsOutOfRange(value: String) async throws {
        try await Self.usageError(["whoami", "--endpoint-url", "http://127.0.0.1:9"], environment: ["AWS_MAX_ATTEMPTS": value],
                                  mentioning: "AWS_MAX_ATTEMPTS")
    }

    @Test func emptyEndpointURLIsRefused() async throws {
        try await Self.usageError(["whoami", "--endpoint-url", ""], mentioning: "empty value for --endpoint-url")
        try await Self.usageError(["whoami"], environment: ["AWS_ENDPOINT_URL": ""], mentioning: "empty value for AWS_ENDPOINT_URL")
        try await Self.usageError(["whoami"], environment: ["AWS_ENDPOINT_URL_STS": ""],
                                  mentioning: "empty value for AWS_ENDPOINT_URL_STS")
    }

    @Test func endpointWithABadPortOrAPathIsRefused() async throws {
        try await Self.usageError(["whoami", "--endpoint-url", "http://127.0.0.1:99999"], mentioning: "port 99999")
        try await Self.usageError(["whoami", "--endpoint-url", "http://127.0.0.1:5000/sts"], mentioning: "has a path")
        try await Self.usageError(["whoami", "--endpoint-url", "http://127.0.0.1:abc"], mentioning: "not an http(s) URL")
        try await Self.usageError(["whoami"], environment: ["AWS_ENDPOINT_URL_EC2": "ftp://127.0.0.1"],
                                  mentioning: "AWS_ENDPOINT_URL_EC2")
    }

    /// Some other web server on the endpoint: a short error, not its HTML page.
    @Test func aWebPageInsteadOfAnAWSAnswerGivesAShortError() async throws {
        let python = RepositoryPaths.python
        let server = try await LoopbackServer.start { port in [python, "-m", "http.server", "--bind", "127.0.0.1", String(port)] }
        defer { kill(server.pid, SIGKILL) }
        let output = try await CLIRunner.run(["whoami", "--endpoint-url", "http://127.0.0.1:\(server.port)"],
                                             environment: Self.base.merging(["AWS_MAX_ATTEMPTS": "1"]) { $1 })
        #expect(output.status == 1, "\(output.all)")
        #expect(output.stderr.contains("not an AWS API answer (HTTP 501"), "\(output.stderr)")
        #expect(!output.stderr.lowercased().contains("<html") && !output.stderr.contains("DOCTYPE"), "\(output.stderr)")
    }
}
