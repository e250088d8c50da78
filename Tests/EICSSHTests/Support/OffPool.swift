import Foundation

/// Runs blocking test set-up (starting sshd, ssh-agent) on a GCD thread. Swift's cooperative pool has
/// one thread per core — two here — so blocking it in one test stalls every other test's continuations.
enum OffPool {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}

extension TestSSHD {
    /// Starts a test sshd without blocking the cooperative pool (see `OffPool`).
    static func started(address: String = "127.0.0.1", extraConfig: String = "", publicKeys: [String]? = nil,
                        mounts: [String: String] = [:], etcSSHFiles: [String: String] = [:]) async throws -> TestSSHD {
        try await OffPool.run {
            try TestSSHD(address: address, extraConfig: extraConfig, publicKeys: publicKeys ?? TestKeys.shared.allPublicKeys,
                         mounts: mounts, etcSSHFiles: etcSSHFiles)
        }
    }

    /// `restart()` off the cooperative pool.
    func restarted() async throws {
        try await OffPool.run { try self.restart() }
    }
}
