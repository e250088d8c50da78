import Foundation

/// Names for things tests create in a shared peer (IAM users, roles, policies, tags): unique per call, so
/// a test can run twice against the same moto without "EntityAlreadyExists" or finding last run's objects.
public enum TestNames {
    /// `base` with a short random suffix, e.g. "chain-role-1a2b3c4d".
    public static func unique(_ base: String) -> String {
        "\(base)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
