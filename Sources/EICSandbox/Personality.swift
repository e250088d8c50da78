/// One row of `sandbox/personalities.tsv`: a kind of instance the sandbox can run (design §6). The
/// table is the only place a personality is written down; `PersonalityTable` reads it, and the instance
/// scripts get the row through the instance's run/instance.env.
public struct Personality: Sendable, Hashable {
    /// Whether the instance's sshd is started. `nokey`: it runs, but the launch (fleet) key is not in the
    /// login user's authorized_keys, so the operator's SSH gets no login (reach it through SSM; EIC
    /// logins work once the package is configured).
    public enum SSHD: String, Sendable, CaseIterable { case up, down, nokey }
    /// The instance's SSM agent: `online` (registered, connected), `offline` (registered, connection
    /// lost: commands are never delivered), `none` (no instance profile: not a managed instance).
    public enum Agent: String, Sendable, CaseIterable { case online, offline, none }
    /// `replaced`: the known_hosts handed out holds another key than the one sshd presents (a rebuild).
    public enum HostKey: String, Sendable, CaseIterable { case kept, replaced }
    /// `password`: the login user's sudo wants a password, so `sudo -n` fails.
    public enum Sudo: String, Sendable, CaseIterable { case nopasswd, password }
    /// Where another team's AuthorizedKeysCommand sits, if anywhere.
    public enum ForeignKeysCommand: String, Sendable, CaseIterable {
        case none
        case sshdConfig = "sshd_config"
        case include
    }

    public let name: String
    public let image: SandboxImage
    /// The ec2-instance-connect version the image comes with; nil when it is not installed.
    public let package: String?
    public let sshd: SSHD
    public let hostKey: HostKey
    public let sudo: Sudo
    public let foreignKeysCommand: ForeignKeysCommand
    public let agent: Agent
    /// Named `--mix` lists the row belongs to besides `default`.
    public let mixes: [String]

    /// Whether the operator's SSH (the launch key) is meant to log in.
    public var isReachable: Bool { sshd == .up }
    /// Whether its sshd runs (and listens on tcp/22).
    public var runsSSHD: Bool { sshd != .down }

    /// The row as the instance scripts read it (keys of run/instance.env; see sandbox/instance/lib.sh).
    var scriptEnvironment: [(String, String)] {
        [("PERSONALITY", name), ("IMAGE", image.name), ("PACKAGE_PREINSTALLED", package ?? ""),
         ("SSHD", sshd.rawValue), ("HOST_KEY", hostKey.rawValue), ("SUDO", sudo.rawValue),
         ("FOREIGN_AKC", foreignKeysCommand.rawValue), ("AGENT", agent.rawValue)]
    }
}

/// A directory of `sandbox/instance/images/`: one distribution release's files (os-release, sshd_config,
/// sshd_config.d/) and its `image.env` (AMI name, login user, package versions, …).
public struct SandboxImage: Sendable, Hashable {
    /// The keys every image.env must set; any other key is passed to the scripts as well.
    static let requiredKeys = ["AMI_NAME", "AMI_DESCRIPTION", "FAMILY", "LOGIN_USER", "LOGIN_GECOS", "UNIT",
                               "PACKAGE_CANDIDATE", "OPENSSH_VERSION"]
    /// The package families the stand-ins implement: al2 (yum/rpm), al2023 and el (dnf/rpm; el's package
    /// only from AWS's URL), ubuntu (apt-get/dpkg). See sandbox/instance/lib.sh.
    static let families: Set<String> = ["al2", "al2023", "el", "ubuntu"]

    public let name: String
    /// Every key of image.env, as written there.
    public let values: [String: String]

    public var amiName: String { values["AMI_NAME"] ?? "" }
    public var amiDescription: String { values["AMI_DESCRIPTION"] ?? "" }
    public var loginUser: String { values["LOGIN_USER"] ?? "" }
}
