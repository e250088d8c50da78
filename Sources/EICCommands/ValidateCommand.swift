import ArgumentParser

/// `eicsetup validate`: Check a plan file (schema and meaning); errors name the JSON path.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a plan file (schema and meaning); errors name the JSON path.",
        discussion: """
        Example:\n          eicsetup validate fleet.json
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plan file (JSON).") var plan: String

    func run() async throws {
        throw CommandError.notBuilt("validate")
    }
}
