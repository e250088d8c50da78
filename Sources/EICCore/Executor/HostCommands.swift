/// The fixed commands apply runs on a host: built only from constants and quoted arguments
/// (`RemoteCommand`), never from plan text. Package managers run non-interactively and wait a bounded
/// time for their lock instead of failing on a concurrent unattended-upgrade.
public enum HostCommands {
    /// The commands for one step, in order.
    public static func commands(for step: HostStep, useSudo: Bool) -> [RemoteCommand] {
        let sudo = useSudo ? ["sudo", "-n"] : []
        let apt = sudo + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-q", "-y", "-o", "DPkg::Lock::Timeout=120",
                          "-o", "Dpkg::Options::=--force-confold"]
        switch step {
        case .install(.apt): return [RemoteCommand(arguments: apt + ["update"]), RemoteCommand(arguments: apt + ["install", package])]
        case .upgrade(.apt):
            return [RemoteCommand(arguments: apt + ["update"]), RemoteCommand(arguments: apt + ["install", "--only-upgrade", package])]
        case .install(.yum), .install(.dnf), .install(.zypper):
            return [RemoteCommand(arguments: sudo + [tool(step), "-y", "install", package])]
        case .upgrade(.yum), .upgrade(.dnf), .upgrade(.zypper):
            return [RemoteCommand(arguments: sudo + [tool(step), "-y", "upgrade", package])]
        case .installPublished(.apt, _):
            return []  // AWS publishes RPMs only; the planner never pairs them with apt
        case .installPublished(_, let rpm):
            // `install` of a newer RPM upgrades an installed older one; an up-to-date one is "Nothing to do".
            return [RemoteCommand(arguments: sudo + [tool(step), "-y", "install"] + rpm.urls)]
        }
    }

    static let package = "ec2-instance-connect"

    /// The package manager's program that runs `step`, e.g. "apt-get".
    public static func tool(_ step: HostStep) -> String {
        switch step {
        case .install(let manager), .upgrade(let manager), .installPublished(let manager, _):
            switch manager {
            case .apt: return "apt-get"
            case .yum: return "yum"
            case .dnf: return "dnf"
            case .zypper: return "zypper"
            }
        }
    }
}
