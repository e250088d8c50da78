import ArgumentParser
import EICCore

/// SSH options shared by the fleet commands; each overrides the plan's `instances.ssh` value.
struct SSHOptions: ParsableArguments {
    @Option(name: .customLong("identity-file"), help: "The fleet's private key (overrides instances.ssh.identityFile).")
    var identityFile: String?

    @Option(name: .customLong("ssh-user"), help: "Login user for every instance (overrides instances.ssh.user).")
    var user: String?

    @Option(name: .customLong("known-hosts"), help: "OpenSSH known_hosts file (overrides instances.ssh.knownHosts).")
    var knownHosts: String?

    @Option(name: .customLong("host-keys"), help: "Unknown host keys: strict (refuse) or accept-new (record on first use).",
            completion: .list(HostKeyMode.allCases.map(\.rawValue)))
    var hostKeys: HostKeyMode?

    @Option(name: .customLong("ssh-port"), help: "SSH port (1-65535; overrides instances.ssh.port).")
    var port: Int?

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--ssh-port must be between 1 and 65535.") }
        if let user, user != "auto", !PlanDecoder.isValidOSUser(user) {
            throw ValidationError("--ssh-user '\(user)' is not a valid OS user name.")
        }
    }

    func apply(to settings: inout SSHSettings) {
        if let identityFile { settings.identityFile = identityFile }
        if let user { settings.user = user == "auto" ? .auto : .named(user) }
        if let knownHosts { settings.knownHosts = knownHosts }
        if let hostKeys { settings.hostKeys = hostKeys }
        if let port { settings.port = port }
    }
}

extension HostKeyMode: ExpressibleByArgument {}
