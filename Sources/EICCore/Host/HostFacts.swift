/// What the planner knows about one host after the read-only probe (design §1, task 2).
public struct HostFacts: Sendable, Equatable, Codable {
    /// `ID` from /etc/os-release, e.g. "amzn", "ubuntu", "debian".
    public var osID: String?
    /// `VERSION_ID` from /etc/os-release, e.g. "2", "22.04".
    public var osVersion: String?
    /// `PRETTY_NAME` from /etc/os-release, for people.
    public var osPrettyName: String?
    /// The package manager found, or nil.
    public var packageManager: PackageManager?
    /// How the login user can act as root (decides whether installs are possible).
    public var privilege: Privilege = .unknown
    /// The ec2-instance-connect package.
    public var package: PackageState
    /// The AuthorizedKeysCommand sshd runs with, and how that was determined.
    public var effective: EffectiveCommand
    /// Every place that sets AuthorizedKeysCommand(User), including overridden ones and Match blocks.
    public var settings: [CommandSetting]
    /// EIC's, none, or a conflict.
    public var classification: Classification
    /// The distribution, typed.
    public var distribution: Distribution { Distribution(osID: osID, version: osVersion) }

    /// The installed package's version, ordered as this host's package manager orders versions.
    public var packageVersion: PackageVersion? {
        guard package.installed, let version = package.version else { return nil }
        return PackageVersion(version, scheme: package.queriedWith == "dpkg" ? .dpkg : .rpm)
    }

    /// Things a person should know about how the facts were gathered (e.g. sudo wanted a password).
    public var notes: [String]

    /// Whose AuthorizedKeysCommand a host runs.
    public enum Classification: String, Sendable, Codable {
        /// EC2 Instance Connect's own command.
        case eic
        /// No AuthorizedKeysCommand anywhere.
        case none
        /// A command that is not EIC's is configured somewhere sshd reads; never overwrite it.
        case conflict
    }
}

/// The install state of the ec2-instance-connect package.
public struct PackageState: Sendable, Equatable, Codable {
    /// True when installed.
    public var installed: Bool
    /// The installed version, e.g. "1.1.14-0ubuntu1.1".
    public var version: String?
    /// The tool that answered: "dpkg", "rpm", or nil when neither exists.
    public var queriedWith: String?

    /// Records one package observation.
    public init(installed: Bool, version: String?, queriedWith: String?) {
        self.installed = installed
        self.version = version
        self.queriedWith = queriedWith
    }
}

/// The effective AuthorizedKeysCommand and AuthorizedKeysCommandUser.
public struct EffectiveCommand: Sendable, Equatable, Codable {
    /// The command line, or nil for none.
    public var command: String?
    /// The user it runs as, or nil for none.
    public var user: String?
    /// How it was determined.
    public var source: Source
    /// True when a systemd drop-in's `-o` option decided the value (it wins over the files).
    public var fromSystemdOption: Bool

    /// The evidence behind the effective value.
    public enum Source: String, Sendable, Codable {
        /// `sshd -T` ran (as root or via `sudo -n`) and its answer was combined with ExecStart `-o` options.
        case sshdT = "sshd -T"
        /// `sshd -T` could not run; the files were parsed the way sshd reads them.
        case files
    }

    /// Groups the effective values.
    public init(command: String?, user: String?, source: Source, fromSystemdOption: Bool) {
        self.command = command
        self.user = user
        self.source = source
        self.fromSystemdOption = fromSystemdOption
    }
}

/// One line that sets AuthorizedKeysCommand or AuthorizedKeysCommandUser.
public struct CommandSetting: Sendable, Equatable, Codable {
    /// The file, e.g. "/etc/ssh/sshd_config.d/50-foo.conf" or a systemd drop-in.
    public var file: String
    /// 1-based line number in that file.
    public var line: Int
    /// "AuthorizedKeysCommand" or "AuthorizedKeysCommandUser".
    public var keyword: String
    /// The value as written (systemd `%%` already unescaped).
    public var value: String
    /// Where sshd gets it from.
    public var origin: Origin
    /// True when the line is inside a `Match` block (sshd -T without -C does not show it).
    public var inMatchBlock: Bool

    /// Where a setting lives.
    public enum Origin: String, Sendable, Codable {
        /// sshd_config or a file it Includes.
        case sshdConfig = "sshd_config"
        /// A `-o` option in an ExecStart= of an ssh(d).service unit or drop-in.
        case systemdOption = "systemd -o"
    }

    /// Records one setting.
    public init(file: String, line: Int, keyword: String, value: String, origin: Origin, inMatchBlock: Bool) {
        self.file = file
        self.line = line
        self.keyword = keyword
        self.value = value
        self.origin = origin
        self.inMatchBlock = inMatchBlock
    }
}

/// Recognises EC2 Instance Connect's AuthorizedKeysCommand.
public enum EICCommandPaths {
    /// The programs the package installs (Amazon Linux, Ubuntu).
    public static let programs = [
        "/opt/aws/bin/eic_run_authorized_keys",
        "/usr/share/ec2-instance-connect/eic_run_authorized_keys",
    ]

    /// True when `command`'s program is one of EIC's, whatever arguments follow.
    public static func isEIC(_ command: String) -> Bool {
        let program = command.trimmingWhitespace().split(whereSeparator: { $0 == " " || $0 == "\t" }).first
        return program.map { programs.contains(String($0).trimmingCharacters(quotes: true)) } ?? false
    }

    /// True when the value means "no command" in sshd's terms.
    public static func isNone(_ value: String?) -> Bool {
        guard let value else { return true }
        let trimmed = value.trimmingWhitespace()
        return trimmed.isEmpty || trimmed.lowercased() == "none"
    }
}

extension String {
    /// Drops one pair of surrounding double quotes, as sshd does for a quoted argument.
    func trimmingCharacters(quotes: Bool) -> String {
        guard quotes, count >= 2, first == "\"", last == "\"" else { return self }
        return String(dropFirst().dropLast())
    }
}

// Explicit encoders so absent values appear as JSON null: `inspect --json` is a stable document whose
// keys do not come and go with the host.
extension HostFacts {
    private enum CodingKeys: String, CodingKey {
        case osID, osVersion, osPrettyName, packageManager, privilege, package, effective, settings, classification, notes
    }

    /// Encodes every key, absent values as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(osID, forKey: .osID)
        try container.encode(osVersion, forKey: .osVersion)
        try container.encode(osPrettyName, forKey: .osPrettyName)
        try container.encode(packageManager, forKey: .packageManager)
        try container.encode(privilege, forKey: .privilege)
        try container.encode(package, forKey: .package)
        try container.encode(effective, forKey: .effective)
        try container.encode(settings, forKey: .settings)
        try container.encode(classification, forKey: .classification)
        try container.encode(notes, forKey: .notes)
    }
}

extension PackageState {
    private enum CodingKeys: String, CodingKey { case installed, version, queriedWith }

    /// Encodes every key, absent values as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(installed, forKey: .installed)
        try container.encode(version, forKey: .version)
        try container.encode(queriedWith, forKey: .queriedWith)
    }
}

extension EffectiveCommand {
    private enum CodingKeys: String, CodingKey { case command, user, source, fromSystemdOption }

    /// Encodes every key, absent values as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        try container.encode(user, forKey: .user)
        try container.encode(source, forKey: .source)
        try container.encode(fromSystemdOption, forKey: .fromSystemdOption)
    }
}

extension HostFacts {
    /// Where the foreign AuthorizedKeysCommand is: the first setting that is neither EIC's nor `none`,
    /// else only the effective command.
    public var foreignCommand: ForeignCommand {
        let foreign = settings.first {
            $0.keyword == "AuthorizedKeysCommand" && !EICCommandPaths.isNone($0.value) && !EICCommandPaths.isEIC($0.value)
        }
        return foreign.map { ForeignCommand(file: $0.file, line: $0.line, command: $0.value) }
            ?? ForeignCommand(file: nil, line: nil, command: effective.command)
    }
}
