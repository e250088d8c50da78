import ArgumentParser

/// `eicsetup verify`: Do a real EC2 Instance Connect login to every instance of a plan.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Do a real EC2 Instance Connect login to every instance of a plan.",
        discussion: """
        Pushes an ephemeral key with SendSSHPublicKey and logs in, for every instance of the plan, with a diagnosis on failure.

        Not built yet in this version: it says so and exits 1.

        Example:
          eicsetup verify fleet.json
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plan file (JSON).") var plan: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        throw CommandError.notBuilt("verify")
    }
}
