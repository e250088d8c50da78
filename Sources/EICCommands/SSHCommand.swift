import ArgumentParser

/// `eicsetup ssh`: Log in to an instance with EC2 Instance Connect (like mssh).
struct SSHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "Log in to an instance with EC2 Instance Connect (like mssh).",
        discussion: """
        Generates an ephemeral ed25519 key, pushes it with SendSSHPublicKey and connects (public IP, else private).

        Not built yet in this version: it says so and exits 1.

        Example:
          eicsetup ssh ec2-user@i-0123456789abcdef0 -- uptime
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "[USER@]INSTANCE-ID") var target: String
    @Flag(name: .customLong("private-ip"), help: "Connect to the private IP even if a public one exists.") var privateIP = false
    @Argument(parsing: .postTerminator, help: "Command to run instead of a shell.") var command: [String] = []

    func run() async throws {
        throw CommandError.notBuilt("ssh")
    }
}
