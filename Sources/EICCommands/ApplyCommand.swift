import ArgumentParser

/// `eicsetup apply`: Carry out a plan (asks for confirmation unless --auto-approve).
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out a plan (asks for confirmation unless --auto-approve).",
        discussion: """
        Shows the plan, asks for confirmation (only "yes" is accepted) unless --auto-approve, then carries it out: IAM and security groups first, then instances in parallel.

        Not built yet in this version: it says so and exits 1.

        Example:
          eicsetup apply fleet.json --parallelism 20
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A plan file, or a saved plan from plan --out.") var plan: String
    @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation.") var autoApprove = false
    @Flag(help: "Print JSON events instead of text.") var json = false
    @Option(help: "How many instances to work on at once.") var parallelism: Int = 10

    func run() async throws {
        throw CommandError.notBuilt("apply")
    }
}
