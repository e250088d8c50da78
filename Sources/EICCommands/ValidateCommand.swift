import ArgumentParser

/// `eicsetup validate`: Check a plan file (schema and meaning); errors name the JSON path.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a plan file (schema and meaning); errors name the JSON path.",
        discussion: """
        Checks a plan file against the schema and for meaning (CIDRs, ports, OS user names, what would reach a remote shell); errors name the JSON path.

        Not built yet in this version: it says so and exits 1.

        Example:
          eicsetup validate fleet.json
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plan file (JSON).") var plan: String

    func run() async throws {
        throw CommandError.notBuilt("validate")
    }
}
