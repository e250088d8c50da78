import EICSandbox
import EICAWS
import EICCore
import EICTestSupport
import Foundation
import Testing

/// STS and request authentication against a real moto server with authentication on.
@Suite struct STSIntegrationTests {
    @Test func callerIdentityOfTheAdmin() async throws {
        let peer = try await MotoPeer.shared()
        let identity = try await STSClient(client: peer.client()).getCallerIdentity()
        #expect(identity.arn == "arn:aws:iam::\(identity.account):user/admin")
        #expect(identity.account.count == 12)
    }

    @Test func aWrongSecretIsRejectedOnceWithAHelpfulMessageThatHidesTheSecret() async throws {
        let peer = try await MotoPeer.shared()
        let wrongSecret = "WRONG-" + peer.admin.secretAccessKey.dropFirst(6)
        let metrics = AWSCallMetrics()
        let client = peer.client(credentials: AWSCredentials(accessKeyId: peer.admin.accessKeyId, secretAccessKey: wrongSecret),
                                 metrics: metrics)
        do {
            _ = try await STSClient(client: client).getCallerIdentity()
            Issue.record("a wrong secret was accepted")
        } catch {
            #expect(error.isAuthenticationFailure, "code was \(error.code)")
            #expect(error.attempts == 1, "a 4xx must not be retried")
            #expect(await metrics.total == 1)
            let text = "\(error)"
            #expect(text.contains("clock"))
            #expect(!text.contains(wrongSecret))
            #expect(!text.contains(peer.admin.secretAccessKey))
        }
    }

    @Test func anUnknownAccessKeyIsRejected() async throws {
        let peer = try await MotoPeer.shared()
        let client = peer.client(credentials: AWSCredentials(accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x"))
        await #expect(throws: AWSError.self) { try await STSClient(client: client).getCallerIdentity() }
    }

    @Test func assumeRoleGivesWorkingTemporaryCredentials() async throws {
        let peer = try await MotoPeer.shared()
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        let role = TestNames.unique("sts-test-role")
        try await IAMProvisioning(client: peer.client()).createRole(name: role, trustPolicy: trust)
        let identity = try await STSClient(client: peer.client()).getCallerIdentity()
        let roleArn = "arn:aws:iam::\(identity.account):role/\(role)"
        let temporary = try await STSClient(client: peer.client()).assumeRole(roleArn: roleArn, sessionName: "eicsetup-test")
        #expect(temporary.sessionToken != nil)
        #expect(temporary.expiration != nil)
        let assumed = try await STSClient(client: peer.client(credentials: temporary)).getCallerIdentity()
        #expect(assumed.arn.contains(":assumed-role/\(role)/eicsetup-test"))
    }
}
