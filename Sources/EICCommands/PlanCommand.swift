import ArgumentParser

/// `eicsetup plan`: Show what apply would change, reading only.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change, reading only.",
        discussion: """
        Reads only (AWS Describe/List/Get calls and one read-only SSH probe per instance) and prints what apply would do: + create, ~ update, ! conflict.
        Exit codes: 0 ok, 1 error; with --detailed-exitcode 2 means changes are pending.

        Not built yet in this version: it says so and exits 1.

        Example:
          eicsetup plan fleet.json --out fleet.saved.json
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
