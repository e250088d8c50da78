import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// Connection-level failures (refused, reset) are transient: the real HTTP transport reports them,
/// and the client retries them like throttling and 5xx answers.
@Suite struct TransportRetryTests {
    static func client(port: Int, maxAttempts: Int, metrics: AWSCallMetrics) -> AWSClient {
        AWSClient(region: "us-east-1",
                  endpoints: EndpointResolver(region: "us-east-1", explicitURL: "http://127.0.0.1:\(port)", environment: [:],
                                              profileEndpointURL: nil),
                  credentials: CredentialChain(providers: [StaticCredentialProvider(
                      AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret"))], describeOrder: "test"),
                  maxAttempts: maxAttempts, transport: SocketHTTPTransport(), metrics: metrics, sleep: { _ in })
    }

    @Test func aRefusedConnectionIsRetriedThenReported() async throws {
        let port = try LoopbackPort.free()  // nothing listens there: every connect is refused at once
        let metrics = AWSCallMetrics()
        let error = await #expect(throws: AWSError.self) {
            _ = try await STSClient(client: Self.client(port: port, maxAttempts: 3, metrics: metrics)).getCallerIdentity()
        }
        #expect(error?.kind == .transport)
        #expect(error?.attempts == 3)
        #expect(await metrics.counts["sts:GetCallerIdentity"] == 3)
        #expect(error?.operation == "GetCallerIdentity")
    }

    @Test func resetConnectionsAreRetriedUntilTheCallSucceeds() async throws {
        let directory = try TemporaryFiles.directory()
        let body = directory + "/identity.xml"
        try """
            <GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/reset</Arn>\
            <UserId>AIDARESET</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>
            """.write(toFile: body, atomically: true, encoding: .utf8)
        let script = RepositoryPaths.root.appendingPathComponent("Tests/Support/resetting_http.py").path
        let (server, port) = try await LoopbackServer.start { port in [RepositoryPaths.python, script, String(port), "2", body] }
        defer {
            kill(server, SIGTERM)
            ChildProcess.reapIfExited(server)
        }
        let metrics = AWSCallMetrics()
        let identity = try await STSClient(client: Self.client(port: port, maxAttempts: 3, metrics: metrics)).getCallerIdentity()
        #expect(identity.arn.hasSuffix(":user/reset"))
        #expect(await metrics.counts["sts:GetCallerIdentity"] == 3, "two resets, then the answer")
    }
}
