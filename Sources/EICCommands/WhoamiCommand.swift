import ArgumentParser

/// `eicsetup whoami`: which identity, region, credential source and endpoint apply.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show which AWS identity, region, credential source and endpoint eicsetup will use."
    )
    @OptionGroup var global: GlobalOptions
    func run() async throws { throw CommandError.notBuilt("whoami") }
}
