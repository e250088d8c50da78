import ArgumentParser

/// `eicsetup inspect`: Show what the planner sees on one host (OS, package, sshd configuration).
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what the planner sees on one host (OS, package, sshd configuration).",
        discussion: """
        Example:\n          eicsetup inspect --host 203.0.113.10 --user ec2-user --identity-file ~/.ssh/fleet.pem
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Host address.") var host: String
    @Option(help: "SSH port.") var port: Int = 22
    @Option(help: "Login user.") var user: String
    @Option(name: .customLong("identity-file"), help: "Private key file.") var identityFile: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        throw CommandError.notBuilt("inspect")
    }
}
