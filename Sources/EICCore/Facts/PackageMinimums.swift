/// Which ec2-instance-connect release a host must have, per distribution family: each family numbers the
/// package its own way (Amazon Linux's rpm `1.1-19.amzn2`, Ubuntu's deb `1.1.12.0-0ubuntu3~20.04.1`), so
/// one minimum compared under every scheme either never upgrades Ubuntu (any `1.1.x` is newer than rpm's
/// `1.1-18`) or fails every Amazon Linux host (`1.1-19` is older than `1.1.12`).
public enum PackageFamily: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Amazon Linux 2 and 2023 (rpm numbering).
    case amazonLinux = "amazon-linux"
    /// Ubuntu (deb numbering).
    case ubuntu
    /// RHEL, CentOS Stream, Rocky Linux and AlmaLinux 8/9 (rpm numbering; AWS's published RPMs).
    case enterpriseLinux = "rhel"

    /// The family of a distribution eicsetup installs on; nil for the others.
    public init?(_ distribution: Distribution) {
        switch distribution {
        case .amazonLinux2, .amazonLinux2023: self = .amazonLinux
        case .ubuntu: self = .ubuntu
        case .enterpriseLinux: self = .enterpriseLinux
        case .other: return nil
        }
    }

    public var scheme: PackageVersion.Scheme { self == .ubuntu ? .dpkg : .rpm }

    public var description: String {
        switch self {
        case .amazonLinux: return "Amazon Linux"
        case .ubuntu: return "Ubuntu"
        case .enterpriseLinux: return "RHEL family"
        }
    }
}

/// A minimum package version and what it brings (for the plan's reasons).
public struct PackageMinimum: Sendable, Equatable {
    public var version: String
    /// Why this release matters; nil for a minimum the plan set.
    public var fix: String?

    public init(version: String, fix: String?) {
        self.version = version
        self.fix = fix
    }
}

/// The default minimums, one per family, with the reason for each; a plan overrides them per family
/// (`instances.minimumPackageVersion`).
public enum PackageMinimums {
    /// The releases that matter, from the package's changelog: 1.1-12 reads instance metadata with IMDSv2
    /// tokens, 1.1-17 builds against OpenSSL 3, 1.1-18 brings the status-22 fix, 1.1-19 stops harvesting
    /// host keys. Amazon Linux gets every one of them, so its floor is the
    /// status-22 fix. Ubuntu's archive carries 1.1.12.0 (16.04–20.04) and 1.1.14 (22.04), never rpm's
    /// later releases, so a higher floor could never be met by `apt-get install`: its floor is 1.1.12,
    /// the IMDSv2 release, without which the helper finds no keys on an instance that requires IMDSv2.
    public static let defaults: [PackageFamily: PackageMinimum] = [
        .amazonLinux: PackageMinimum(version: "1.1-18", fix: "1.1-18 brings the status-22 fix"),
        .ubuntu: PackageMinimum(version: "1.1.12", fix: "1.1.12 reads instance metadata with IMDSv2 tokens"),
        // AWS publishes the same releases for EL8/EL9 as for Amazon Linux, so the same fix is the floor.
        .enterpriseLinux: PackageMinimum(version: "1.1-18", fix: "1.1-18 brings the status-22 fix"),
    ]

    /// The minimum for `family`: the plan's override, else the default.
    public static func minimum(for family: PackageFamily, overrides: [PackageFamily: String]) -> PackageMinimum {
        if let version = overrides[family] { return PackageMinimum(version: version, fix: nil) }
        return defaults[family] ?? PackageMinimum(version: "0", fix: nil)
    }
}
