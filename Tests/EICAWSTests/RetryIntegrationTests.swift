import EICAWS
import EICCore
import EICTestSupport
import Foundation
import Testing

/// Standard retry mode against a moto that throttles or fails every call (awsd --faults).
@Suite struct RetryIntegrationTests {
    @Test func throttlingIsRetriedUpToMaxAttemptsThenReported() async throws {
        let peer = try await MotoPeer.launch(faults: "throttle=1.0")
        let metrics = AWSCallMetrics()
        do {
            _ = try await EC2Client(client: peer.client(maxAttempts: 3, metrics: metrics)).describeInstances()
            Issue.record("a fully throttled endpoint answered")
        } catch {
            #expect(error.code == "RequestLimitExceeded")
            #expect(error.attempts == 3)
            #expect(await metrics.counts["ec2:DescribeInstances"] == 3)
            #expect("\(error)".contains("after 3 attempts"))
        }
    }

    @Test func serverErrorsAreRetriedAndClientErrorsAreNot() async throws {
        let peer = try await MotoPeer.launch(faults: "error5xx=1.0")
        let metrics = AWSCallMetrics()
        do {
            _ = try await EC2Client(client: peer.client(maxAttempts: 4, metrics: metrics)).describeSecurityGroups(ids: [])
            Issue.record("a failing endpoint answered")
        } catch {
            #expect(error.httpStatus.map { $0 >= 500 } == true)
            #expect(error.attempts == 4)
            #expect(await metrics.total == 4)
        }
    }
}
