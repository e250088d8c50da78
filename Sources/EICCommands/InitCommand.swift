import ArgumentParser

/// `eicsetup init`: Write a starter plan file.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter plan file.",
        discussion: """
        Writes a plan you then edit (templates/ holds the starting points).

        Not built yet in this version: it says so and exits 1.

        Example:
          eicsetup init --template web-fleet > fleet.json
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Template to start from (see templates/).") var template: String?

    func run() async throws {
        throw CommandError.notBuilt("init")
    }
}
