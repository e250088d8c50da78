/// Turns a `ProbeReport` into `HostFacts`: OS, package, effective AuthorizedKeysCommand and who sets it.
/// Pure: the same report always gives the same facts.
public enum HostFactsAnalyzer {
    /// Interprets one probe report.
    public static func facts(from report: ProbeReport) -> HostFacts {
        let os = osRelease(report.osRelease)
        var notes: [String] = []

        let configSettings = SSHDConfigFiles.settings(report.configs)
        let unitSettings = SystemdUnitOptions.allOptions(report.units).compactMap(setting)
        let effectiveOptions = SystemdUnitOptions.effectiveOptions(report.units)

        var source = EffectiveCommand.Source.sshdT
        var values: [String: String]
        if report.sshdTStatus == 0 {
            values = SSHDConfigFiles.sshdTValues(report.sshdTOutput)
        } else {
            source = .files
            values = SSHDConfigFiles.effectiveValues(report.configs)
            notes.append(sshdTFailureNote(report) + "; the effective value was read from the files instead")
        }
        var fromOption = false
        for option in effectiveOptions {
            let keyword = option.keyword.lowercased()
            guard keyword == SSHDConfigFiles.commandKeyword || keyword == SSHDConfigFiles.userKeyword else { continue }
            values[keyword] = option.value
            fromOption = true
        }
        let command = values[SSHDConfigFiles.commandKeyword].flatMap { EICCommandPaths.isNone($0) ? nil : $0 }
        let user = values[SSHDConfigFiles.userKeyword].flatMap { EICCommandPaths.isNone($0) ? nil : $0 }
        for path in report.unreadable {
            notes.append("\(path) could not be read (not even with sudo -n); settings in it are unknown")
        }

        let settings = configSettings + unitSettings
        let foreignSomewhere = settings.contains {
            $0.keyword == "AuthorizedKeysCommand" && !EICCommandPaths.isNone($0.value) && !EICCommandPaths.isEIC($0.value)
        }
        let classification: HostFacts.Classification
        if let command, !EICCommandPaths.isEIC(command) {
            classification = .conflict
        } else if foreignSomewhere {
            classification = .conflict
        } else if command != nil {
            classification = .eic
        } else {
            classification = .none
        }

        return HostFacts(
            osID: os["ID"], osVersion: os["VERSION_ID"], osPrettyName: os["PRETTY_NAME"],
            packageManager: packageManager(report.tools), privilege: privilege(report),
            package: package(report.packageAnswer),
            effective: EffectiveCommand(command: command, user: user, source: source, fromSystemdOption: fromOption),
            settings: settings, classification: classification, notes: notes)
    }

    /// Parses os-release `KEY=value` lines (values optionally quoted).
    public static func osRelease(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingWhitespace()
            guard !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: eq)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            result[String(line[..<eq])] = value
        }
        return result
    }

    static func packageManager(_ tools: [String]) -> PackageManager? {
        if tools.contains("apt-get") { return .apt }
        if tools.contains("dnf") { return .dnf }
        if tools.contains("yum") { return .yum }
        if tools.contains("zypper") { return .zypper }
        return nil
    }

    /// Root, passwordless sudo, or why not: the probe ran `sshd -T` as root or through `sudo -n`.
    static func privilege(_ report: ProbeReport) -> Privilege {
        switch report.sshdTVia {
        case "root": return .root
        case "sudo":
            if report.sshdTStatus == 0 { return .sudo }
            let output = report.sshdTOutput
            if output.contains("password is required") || output.contains("terminal is required") { return .sudoNeedsPassword }
            return .unknown
        default: return .none
        }
    }

    /// Reads "dpkg ii 1.1.14-0ubuntu1", "rpm ii 1.1-19.amzn2", "dpkg un", "dpkg" (unknown package), "none".
    static func package(_ answer: [String]) -> PackageState {
        guard let tool = answer.first, tool != "none" else {
            return PackageState(installed: false, version: nil, queriedWith: nil)
        }
        // dpkg's abbreviated status: second letter "i" means installed ("ii"); "un", "rc" mean not.
        let status = answer.count > 1 ? Array(answer[1]) : []
        let installed = status.count >= 2 && status[1] == "i"
        let version = installed && answer.count > 2 ? answer[2] : nil
        return PackageState(installed: installed, version: version, queriedWith: tool)
    }

    private static func setting(_ option: SystemdUnitOptions.Option) -> CommandSetting? {
        switch option.keyword.lowercased() {
        case SSHDConfigFiles.commandKeyword:
            return CommandSetting(file: option.file, line: option.line, keyword: "AuthorizedKeysCommand",
                                  value: option.value, origin: .systemdOption, inMatchBlock: false)
        case SSHDConfigFiles.userKeyword:
            return CommandSetting(file: option.file, line: option.line, keyword: "AuthorizedKeysCommandUser",
                                  value: option.value, origin: .systemdOption, inMatchBlock: false)
        default:
            return nil
        }
    }

    private static func sshdTFailureNote(_ report: ProbeReport) -> String {
        let output = report.sshdTOutput
        switch report.sshdTVia {
        case "sudo" where output.contains("password is required") || output.contains("terminal is required"):
            return "sudo needs a password on this host, so `sshd -T` did not run (allow NOPASSWD for sshd -T, or log in as root)"
        case "none":
            return "sudo is not installed and the login user is not root, so `sshd -T` did not run"
        default:
            let firstLine = output.split(separator: "\n").first.map(String.init) ?? "no output"
            return "`sshd -T` failed (exit \(report.sshdTStatus): \(firstLine))"
        }
    }
}
