/// The package managers the planner knows how to drive.
public enum PackageManager: String, Sendable, Codable, CaseIterable {
    case apt, yum, dnf, zypper

    /// How this manager's versions are ordered.
    public var versionScheme: PackageVersion.Scheme {
        self == .apt ? .dpkg : .rpm
    }
}

/// How the login user can act as root on a host, as the probe saw it.
public enum Privilege: String, Sendable, Codable {
    /// The login user is root.
    case root
    /// `sudo -n` works without a password.
    case sudo
    /// sudo exists but wants a password (or a terminal): eicsetup cannot install here.
    case sudoNeedsPassword = "sudo-needs-password"
    /// Neither root nor sudo.
    case none
    /// sudo ran but the command failed for another reason.
    case unknown
}

/// The distributions the planner tells apart (from /etc/os-release).
public enum Distribution: Sendable, Equatable, Codable, CustomStringConvertible {
    case amazonLinux2
    case amazonLinux2023
    /// Ubuntu with its VERSION_ID as (major, minor), e.g. (22, 4).
    case ubuntu(major: Int, minor: Int)
    /// RHEL and its rebuilds (CentOS Stream, Rocky Linux, AlmaLinux) 8 or 9: their repositories lack the
    /// package, so it comes from the RPM AWS publishes for the major release (`build`).
    case enterpriseLinux(id: String, version: String, build: PublishedRPM)
    case other(id: String, version: String)

    /// Reads `ID` and `VERSION_ID`.
    public init(osID: String?, version: String?) {
        let id = osID ?? "unknown", version = version ?? ""
        switch id {
        case "amzn" where version == "2": self = .amazonLinux2
        case "amzn" where version == "2023": self = .amazonLinux2023
        case "ubuntu":
            let parts = version.split(separator: ".").compactMap { Int($0) }
            if parts.count >= 1 { self = .ubuntu(major: parts[0], minor: parts.count > 1 ? parts[1] : 0) } else {
                self = .other(id: id, version: version)
            }
        default:
            if let build = PublishedRPM(osID: id, version: version) {
                self = .enterpriseLinux(id: id, version: version, build: build)
            } else {
                self = .other(id: id, version: version)
            }
        }
    }

    /// The manager eicsetup installs with, or nil when the distribution is unsupported.
    public var supportedManager: PackageManager? {
        switch self {
        case .amazonLinux2: return .yum
        case .amazonLinux2023: return .dnf
        case .ubuntu(let major, _) where major >= 16: return .apt
        case .enterpriseLinux: return .dnf
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .amazonLinux2: return "Amazon Linux 2"
        case .amazonLinux2023: return "Amazon Linux 2023"
        case .ubuntu(let major, let minor): return "Ubuntu \(major).\(minor < 10 ? "0" : "")\(minor)"
        case .enterpriseLinux(let id, let version, _):
            let names = ["rhel": "RHEL", "centos": "CentOS Stream", "rocky": "Rocky Linux", "almalinux": "AlmaLinux"]
            return "\(names[id] ?? id) \(version)"
        case .other(let id, let version): return "\(id) \(version)".trimmingWhitespace()
        }
    }
}

/// An EC2 instance's lifecycle state.
public enum InstanceState: String, Sendable, Codable {
    case pending, running, shuttingDown = "shutting-down", terminated, stopping, stopped, unknown
}

extension CloudInstance {
    /// The state as a type the planner can branch on.
    public var lifecycle: InstanceState { InstanceState(rawValue: state) ?? .unknown }
}
