import ArgumentParser
import EICCore
import EICSSH
import Foundation

/// `eicsetup inspect`: Show what the planner sees on one host (OS, package, sshd configuration).
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what the planner sees on one host (OS, package, sshd configuration).",
        discussion: """
        Logs in over SSH and runs one read-only probe: /etc/os-release, the package manager, the \
        ec2-instance-connect package version, the effective AuthorizedKeysCommand (sshd -T as root or \
        via sudo -n, combined with -o options of ssh.service/sshd.service drop-ins, which win over \
        sshd_config), and every file that sets it. A command that is not EIC's is reported as a conflict.

        Keys: RSA (PEM, PKCS#8 or unencrypted OpenSSH format), ed25519, ECDSA; without \
        --identity-file the ssh-agent at SSH_AUTH_SOCK is used. An encrypted key's passphrase comes \
        from EICSETUP_KEY_PASSPHRASE or a prompt on the terminal.

        Examples:
          eicsetup inspect --host 203.0.113.10 --user ec2-user --identity-file ~/.ssh/fleet.pem
          eicsetup inspect --host 10.0.0.5 --user ubuntu --host-keys accept-new --json
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Host address.") var host: String
    @Option(help: "SSH port.") var port: Int = 22
    @Option(help: "Login user.") var user: String
    @Option(name: .customLong("identity-file"), help: "Private key file (default: the ssh-agent at SSH_AUTH_SOCK).")
    var identityFile: String?
    @Option(name: .customLong("known-hosts"), help: "OpenSSH known_hosts file.")
    var knownHosts: String = "~/.ssh/known_hosts"
    @Option(name: .customLong("host-keys"), help: "Unknown host keys: strict (refuse) or accept-new (record).",
            completion: .list(HostKeyPolicy.allCases.map(\.rawValue)))
    var hostKeys: String = HostKeyPolicy.strict.rawValue
    @Option(name: .customLong("timeout"), help: "Seconds allowed for connecting and for the probe.")
    var timeout: Int = 30
    @Flag(help: "Print JSON.") var json = false

    static let timeoutRange = 1...86_400

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535 (got \(port)).") }
        // OS user names the design accepts (design §3); anything else could not be a real login anyway.
        guard TextShape.isOSUserName(user) else {
            throw ValidationError("--user '\(user)' is not a valid OS user name.")
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace }) else {
            throw ValidationError("--host must be an address or host name.")
        }
        guard HostKeyPolicy(rawValue: hostKeys) != nil else {
            throw ValidationError("--host-keys must be 'strict' or 'accept-new'.")
        }
        // The limit becomes milliseconds in poll(2)'s Int32 and libssh2's long; a day is far beyond any use.
        guard Self.timeoutRange.contains(timeout) else {
            throw ValidationError("--timeout must be between 1 and \(Self.timeoutRange.upperBound) seconds (got \(timeout)).")
        }
        if identityFile == nil, ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] == nil {
            throw ValidationError("Give --identity-file, or start ssh-agent and set SSH_AUTH_SOCK.")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let identity: SSHIdentity
        if let identityFile {
            identity = .keyFile(path: Paths.expandTilde(identityFile))
        } else {
            identity = .agent(socketPath: environment["SSH_AUTH_SOCK"] ?? "")
        }
        let options = SSHConnectionOptions(
            host: host, port: port, user: user, identity: identity, knownHostsPath: Paths.expandTilde(knownHosts),
            hostKeyPolicy: HostKeyPolicy(rawValue: hostKeys) ?? .strict,
            passphrase: .environmentOrPrompt(environment),
            connectTimeoutMilliseconds: timeout * 1000, commandTimeoutMilliseconds: timeout * 1000)
        do {
            let connection = try await SSHConnection.open(options)
            let facts = try await HostInspector.inspect(connection)
            await connection.close()
            if connection.hostKeyAdded {
                FileHandle.standardError.write(Data("Warning: permanently added the host key of \(options.displayName) to \(options.knownHostsPath).\n".utf8))
            }
            print(json ? try InspectView.json(facts, options: options) : InspectView.text(facts, options: options),
                  terminator: "")
        } catch let error as HostError {
            // Printed by the entry point: text, or a JSON object under --json.
            throw CommandError.onHost(options.displayName, cause: error)
        }
    }
}

/// Renders `HostFacts` for people (text) and machines (JSON).
enum InspectView {
    static func text(_ facts: HostFacts, options: SSHConnectionOptions) -> String {
        var lines = ["Host:                       \(options.displayName)"]
        let os = [facts.osID ?? "unknown", facts.osVersion ?? ""].joined(separator: " ").trimmingCharacters(in: .whitespaces)
        lines.append("OS:                         \(os)" + (facts.osPrettyName.map { " (\($0))" } ?? ""))
        lines.append("Package manager:            \(facts.packageManager?.rawValue ?? "none found")")
        let package = facts.package.installed ? (facts.package.version ?? "installed")
            : (facts.package.queriedWith == nil ? "unknown (no dpkg or rpm)" : "not installed")
        lines.append("ec2-instance-connect:       \(package)")
        let source = facts.effective.source == .sshdT ? "sshd -T" : "parsed from files"
        let origin = facts.effective.fromSystemdOption ? "\(source), overridden by a systemd -o option" : source
        lines.append("AuthorizedKeysCommand:      \(facts.effective.command ?? "none")  [\(origin)]")
        lines.append("AuthorizedKeysCommandUser:  \(facts.effective.user ?? "none")")
        let verdict: String
        switch facts.classification {
        case .eic: verdict = "eic (EC2 Instance Connect's command)"
        case .none: verdict = "none (no AuthorizedKeysCommand)"
        case .conflict: verdict = "CONFLICT (an AuthorizedKeysCommand that is not EIC's; eicsetup will not overwrite it)"
        }
        lines.append("Classification:             \(verdict)")
        if !facts.settings.isEmpty {
            lines.append("Set in:")
            for setting in facts.settings {
                var where_ = "\(setting.file):\(setting.line)"
                if setting.origin == .systemdOption { where_ += " (ExecStart -o)" }
                if setting.inMatchBlock { where_ += " (inside Match)" }
                lines.append("  \(where_)  \(setting.keyword) \(setting.value)")
            }
        }
        for note in facts.notes { lines.append("Note: \(note)") }
        // Every value came from the host: one line each, its control characters escaped.
        return lines.map(\.terminalSafe).joined(separator: "\n") + "\n"
    }

    /// One versioned JSON document.
    static func json(_ facts: HostFacts, options: SSHConnectionOptions) throws -> String {
        struct Document: Encodable {
            let formatVersion: String
            let host: String
            let port: Int
            let user: String
            let facts: HostFacts
        }
        return try JSONDocument.render(Document(formatVersion: "1", host: options.host,
                                                port: options.port, user: options.user, facts: facts))
    }
}
