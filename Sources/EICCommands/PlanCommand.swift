import ArgumentParser

/// `eicsetup plan`: Show what apply would change, reading only.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change, reading only.",
        discussion: """
        Exit codes: 0 ok, 1 error; with --detailed-exitcode 2 means changes are pending.\n\n        Example:\n          eicsetup plan fleet.json --out fleet.tfplan.json
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plan file (JSON).") var plan: String
    @Option(help: "Save the plan and what was observed, for a later apply.") var out: String?
    @Flag(help: "Print one versioned JSON document instead of text.") var json = false
    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when changes are pending.") var detailedExitcode = false

    func run() async throws {
        throw CommandError.notBuilt("plan")
    }
}
