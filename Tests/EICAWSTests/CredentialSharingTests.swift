import Synchronization
import Testing
@testable import EICAWS

/// A provider that takes a while (like AssumeRole or credential_process) and counts its runs.
final class SlowCountingProvider: CredentialProvider {
    let runs = Mutex(0)

    func resolve() async throws(AWSError) -> ResolvedCredentials? {
        runs.withLock { $0 += 1 }
        try? await Task.sleep(nanoseconds: 50_000_000)
        return ResolvedCredentials(credentials: AWSCredentials(accessKeyId: "AKIASHARED0000000000", secretAccessKey: "s"),
                                   source: "slow test provider")
    }
}

@Suite struct CredentialSharingTests {
    @Test func parallelCallersShareOneResolution() async throws {
        let provider = SlowCountingProvider()
        let chain = CredentialChain(providers: [provider], describeOrder: "test")
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await chain.resolve().credentials.accessKeyId } }
            for try await keyId in group { #expect(keyId == "AKIASHARED0000000000") }
        }
        #expect(provider.runs.withLock { $0 } == 1, "50 parallel actions must not resolve credentials 50 times")
        _ = try await chain.resolve()
        #expect(provider.runs.withLock { $0 } == 1, "cached afterwards")
    }
}
