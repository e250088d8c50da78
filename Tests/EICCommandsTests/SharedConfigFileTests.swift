import EICTestSupport
import Foundation
import Testing

/// Issue 8, defect 6: malformed ~/.aws files are errors naming file and line; an unknown profile is named.
@Suite struct SharedConfigFileTests {
    static func whoami(config: String = "", credentials: String = "", arguments: [String] = [],
                       environment extra: [String: String] = [:]) async throws -> CLIRunner.Output {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eicsetup-ini-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try config.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        try credentials.write(toFile: directory + "/credentials", atomically: true, encoding: .utf8)
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": directory + "/config", "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
        ].merging(extra) { $1 }
        return try await CLIRunner.run(["whoami", "--endpoint-url", "http://127.0.0.1:9"] + arguments, environment: environment)
    }

    @Test(arguments: [
        ("region = us-east-1\n[default]\nregion = eu-west-1\n", 1, "before the first [section]"),
        ("[default]\nregion = eu-west-1\nthis line is garbage\n", 3, "not a 'key = value' line"),
        ("# ok\n[default\nregion = eu-west-1\n", 2, "section header"),
    ])
    func malformedConfigNamesFileAndLine(text: String, line: Int, problem: String) async throws {
        let output = try await Self.whoami(config: text, environment: ["AWS_REGION": "us-east-1"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("/config, line \(line): "), "\(output.stderr)")
        #expect(output.stderr.contains(problem), "\(output.stderr)")
    }

    @Test func malformedCredentialsNamesFileAndLine() async throws {
        let output = try await Self.whoami(credentials: "[default]\naws_access_key_id = AKIAEXAMPLE\nsecret-on-its-own-line\n",
                                           environment: ["AWS_REGION": "us-east-1"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("/credentials, line 3: not a 'key = value' line"), "\(output.stderr)")
        #expect(!output.stderr.contains("secret-on-its-own-line"), "the offending line itself may hold a secret")
    }

    @Test func anUnknownProfileIsNamedNotAskedForARegion() async throws {
        let config = "[default]\nregion = eu-west-1\n"
        let byFlag = try await Self.whoami(config: config, arguments: ["--profile", "nosuch"])
        #expect(byFlag.status != 0)
        #expect(byFlag.stderr.contains("the profile 'nosuch' (from --profile) does not exist"), "\(byFlag.stderr)")
        #expect(!byFlag.stderr.contains("no region"))
        let byVariable = try await Self.whoami(config: config, environment: ["AWS_PROFILE": "nosuch"])
        #expect(byVariable.stderr.contains("the profile 'nosuch' (from AWS_PROFILE) does not exist"), "\(byVariable.stderr)")
    }
}

/// `AWS_SHARED_CREDENTIALS_FILE=/dev/null` (and `AWS_CONFIG_FILE=/dev/null`) mean "no such file", as for
/// the AWS CLI: credentials then come from the environment (issue 19, item 19).
@Suite struct DevNullSharedFilesTests {
    @Test func devNullIsAnEmptyFileNotAnError() async throws {
        let output = try await SharedConfigFileTests.whoami(environment: [
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_CONFIG_FILE": "/dev/null", "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00", "AWS_SECRET_ACCESS_KEY": "not-shown",
        ])
        // Nothing listens on 127.0.0.1:9: the command gets as far as calling AWS, past reading the files.
        #expect(!output.stderr.contains("/dev/null"), "\(output.stderr)")
        #expect(output.stderr.contains("127.0.0.1:9") || output.stderr.lowercased().contains("connect"), "\(output.stderr)")
    }
}
