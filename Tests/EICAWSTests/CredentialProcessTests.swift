import EICAWS
import EICTestSupport
import Foundation
import Testing

/// Issue 8, defect 5: credential_process as botocore runs it — stderr only on failure, a bounded wait,
/// an interrupted helper named as such.
@Suite struct CredentialProcessTests {
    static func provider(_ command: String, timeout: Double = ProcessCredentialRunner.defaultTimeout) -> ProfileCredentialProvider {
        let files = SharedConfigFiles(credentialsPath: "/nonexistent/credentials", configPath: "/nonexistent/config",
                                      credentials: [:], config: ["proc": ["credential_process": command]])
        return ProfileCredentialProvider(profileName: "proc", files: files, explicit: true, processTimeout: timeout) {
            (_, _, _, _, _) async throws(AWSError) -> AWSCredentials in
            throw AWSError(kind: .credentials, service: "sts", operation: "AssumeRole", code: "Unused", message: "unused")
        }
    }

    static func failure(_ provider: ProfileCredentialProvider) async -> String {
        do {
            _ = try await provider.resolve()
            return "resolved"
        } catch {
            return "\(error)"
        }
    }

    /// Run as a user would: the helper's stderr (which may carry anything) stays hidden on success.
    @Test func stderrOfASuccessfulHelperIsNotShown() async throws {
        let peer = try await MotoPeer.shared()
        let directory = try TemporaryFiles.directory()
        let script = directory + "/helper.sh"
        try """
        echo "helper log: using STDERR-MARKER-\(peer.admin.secretAccessKey)" >&2
        printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}' '\(peer.admin.accessKeyId)' '\(peer.admin.secretAccessKey)'
        """.write(toFile: script, atomically: true, encoding: .utf8)
        try "[profile proc]\ncredential_process = /bin/sh \(script)\nregion = us-east-1\n"
            .write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        let output = try await CLIRunner.run(["whoami", "--endpoint-url", peer.endpoint, "--profile", "proc"],
                                             environment: peer.environment(extra: [
                                                "AWS_CONFIG_FILE": directory + "/config",
                                                "AWS_SHARED_CREDENTIALS_FILE": directory + "/none",
                                             ]))
        #expect(output.status == 0, "\(output.all)")
        #expect(!output.all.contains("STDERR-MARKER"), "\(output.stderr)")
    }

    @Test func stderrOfAFailingHelperIsInTheError() async {
        let message = await Self.failure(Self.provider("echo 'token expired, run sso login' >&2; exit 3"))
        #expect(message.contains("exited with status 3: token expired, run sso login"), "\(message)")
    }

    @Test func aHangingHelperIsStoppedAfterTheTimeout() async {
        let message = await Self.failure(Self.provider("echo waiting >&2; exec sleep 60", timeout: 1))
        #expect(message.contains("did not finish within 1 s and was stopped"), "\(message)")
    }

    @Test func anInterruptedHelperIsNamedAsSuch() async {
        let message = await Self.failure(Self.provider("kill -INT $$; sleep 5"))
        #expect(message.contains("was interrupted (SIGINT)"), "\(message)")
        #expect(!message.contains("Version 1 JSON"))
    }
}
