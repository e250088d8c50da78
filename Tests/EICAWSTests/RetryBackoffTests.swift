import EICAWS
import EICCore
import Foundation
import Testing

/// The pause between attempts, seen through the sleep `AWSClient` really calls (recorded, not slept).
@Suite struct RetryBackoffTests {
    static func client(transport: FakeTransport, maxAttempts: Int, recorder: SleepRecorder) -> AWSClient {
        AWSClient(region: "us-east-1",
                  endpoints: EndpointResolver(region: "us-east-1", explicitURL: "http://127.0.0.1:9", environment: [:],
                                              profileEndpointURL: nil),
                  credentials: CredentialChain(providers: [StaticCredentialProvider(
                      AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret"))], describeOrder: "test"),
                  maxAttempts: maxAttempts, transport: transport, sleep: { await recorder.record($0) })
    }

    static let unavailable = FakeTransport { _, _ in
        FakeTransport.xml(503, "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>try later</Message></Error></ErrorResponse>")
    }

    @Test func delaysGrowExponentiallyWithFullJitter() async throws {
        let recorder = SleepRecorder()
        let client = Self.client(transport: Self.unavailable, maxAttempts: 5, recorder: recorder)
        let policy = client.retry
        let calls = 200
        var byAttempt = [[Double]](repeating: [], count: 4)
        for _ in 0..<calls {
            await #expect(throws: AWSError.self) { _ = try await STSClient(client: client).getCallerIdentity() }
            let delays = await recorder.takeAll()
            // One pause between each pair of attempts; none after the last.
            try #require(delays.count == 4, "pauses between 5 attempts: \(delays)")
            for (index, delay) in delays.enumerated() { byAttempt[index].append(delay) }
        }
        for (index, delays) in byAttempt.enumerated() {
            let ceiling = min(policy.maxBackoff, policy.baseDelay * pow(2, Double(index)))
            #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling }, "pause \(index + 1) outside [0, \(ceiling)]")
            // Full jitter spreads over the whole range; 200 draws all below half the ceiling is a broken jitter.
            #expect(delays.contains { $0 > ceiling / 2 }, "pause \(index + 1) never came near its ceiling \(ceiling)")
        }
        // The mean doubles per attempt (uniform on [0, ceiling]); 1.5× leaves room for chance (σ ≈ 4% of the mean).
        let means = byAttempt.map { $0.reduce(0, +) / Double($0.count) }
        for index in 1..<means.count {
            #expect(means[index] > means[index - 1] * 1.5, "mean pauses do not grow: \(means)")
        }
    }

    @Test func theCeilingStopsAtMaxBackoff() {
        let policy = RetryPolicy(maxAttempts: 20)
        let delays = (0..<500).map { _ in policy.delay(afterAttempt: 15) }
        #expect(delays.allSatisfy { $0 <= policy.maxBackoff })
        #expect(delays.contains { $0 > policy.maxBackoff / 2 })
    }

    @Test func noPauseAfterSuccessOrAnErrorThatIsNotRetried() async throws {
        let recorder = SleepRecorder()
        let succeeding = FakeTransport { _, _ in FakeTransport.xml(200, FakeTransport.callerIdentity) }
        _ = try await STSClient(client: Self.client(transport: succeeding, maxAttempts: 3, recorder: recorder)).getCallerIdentity()
        #expect(await recorder.takeAll().isEmpty)

        let denied = FakeTransport { _, _ in
            FakeTransport.xml(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>")
        }
        let error = await #expect(throws: AWSError.self) {
            _ = try await STSClient(client: Self.client(transport: denied, maxAttempts: 3, recorder: recorder)).getCallerIdentity()
        }
        #expect(error?.code == "AccessDenied")
        #expect(denied.requests.count == 1)
        #expect(await recorder.takeAll().isEmpty)
    }

    @Test func aRetriedCallThatRecoversPausesOncePerFailure() async throws {
        let recorder = SleepRecorder()
        let flaky = FakeTransport { _, index in
            index < 2 ? FakeTransport.xml(500, "<ErrorResponse><Error><Code>InternalError</Code></Error></ErrorResponse>")
                : FakeTransport.xml(200, FakeTransport.callerIdentity)
        }
        let identity = try await STSClient(client: Self.client(transport: flaky, maxAttempts: 3, recorder: recorder)).getCallerIdentity()
        #expect(identity.account == "123456789012")
        let delays = await recorder.takeAll()
        #expect(delays.count == 2)
        #expect(delays.count == 2 && delays[0] <= 0.1 && delays[1] <= 0.2)
    }
}
