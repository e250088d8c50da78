import EICTestSupport
import Foundation
import Testing

/// `eicsetup whoami` run as a process against moto with authentication on.
@Suite struct WhoamiCommandTests {
    @Test func credentialsFromEnvironmentVariables() async throws {
        let peer = try await MotoPeer.shared()
        let output = try await CLIRunner.run(["whoami", "--endpoint-url", peer.endpoint], environment: peer.environment(extra: [
            "AWS_ACCESS_KEY_ID": peer.admin.accessKeyId, "AWS_SECRET_ACCESS_KEY": peer.admin.secretAccessKey,
            "AWS_REGION": "us-east-1",
        ]))
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout.contains("arn:aws:iam::123456789012:user/admin"))
        #expect(output.stdout.contains("environment variables"))
        #expect(output.stdout.contains("\(peer.endpoint) (--endpoint-url"))
        #expect(!output.all.contains(peer.admin.secretAccessKey))
    }

    @Test func credentialsFromAProfileSelectedByAWSProfile() async throws {
        let peer = try await MotoPeer.shared()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("whoami-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        [sandbox]
        aws_access_key_id = \(peer.admin.accessKeyId)
        aws_secret_access_key = \(peer.admin.secretAccessKey)
        """.write(toFile: directory + "/credentials", atomically: true, encoding: .utf8)
        try "[profile sandbox]\nregion = us-east-1\n".write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        let output = try await CLIRunner.run(["whoami", "--endpoint-url", peer.endpoint, "--json"], environment: peer.environment(extra: [
            "AWS_PROFILE": "sandbox", "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
            "AWS_CONFIG_FILE": directory + "/config",
        ]))
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(document["format_version"] as? String == "1")
        #expect(document["arn"] as? String == "arn:aws:iam::123456789012:user/admin")
        #expect(document["region"] as? String == "us-east-1")
        #expect((document["credential_source"] as? String)?.contains("profile 'sandbox'") == true)
        #expect(!output.all.contains(peer.admin.secretAccessKey))
    }

    @Test func aWrongSecretExitsOneWithAClearLineAndNoSecret() async throws {
        let peer = try await MotoPeer.shared()
        let wrongSecret = "Zz9" + String(peer.admin.secretAccessKey.dropFirst(3).reversed())
        let output = try await CLIRunner.run(["whoami", "--endpoint-url", peer.endpoint], environment: peer.environment(extra: [
            "AWS_ACCESS_KEY_ID": peer.admin.accessKeyId, "AWS_SECRET_ACCESS_KEY": wrongSecret, "AWS_REGION": "us-east-1",
        ]))
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("SignatureDoesNotMatch"))
        #expect(output.stderr.contains("secret access key"))
        #expect(output.stderr.split(separator: "\n").count == 1, "one line, got: \(output.stderr)")
        #expect(!output.all.contains(wrongSecret))
        #expect(!output.all.contains(peer.admin.secretAccessKey))
    }

    @Test func noRegionIsAClearError() async throws {
        let peer = try await MotoPeer.shared()
        let output = try await CLIRunner.run(["whoami", "--endpoint-url", peer.endpoint], environment: peer.environment())
        #expect(output.status == 1)
        #expect(output.stderr.contains("no region"))
    }
}
