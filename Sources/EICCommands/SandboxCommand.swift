import ArgumentParser

/// `eicsetup sandbox`: the local AWS + fleet test bed (design §6).
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local AWS (moto) and a local fleet of real sshd instances for trying eicsetup.",
        discussion: """
        Needs root. Everything listens on loopback addresses only.

        Example:
          eicsetup sandbox up --instances 12
          eval "$(eicsetup sandbox env)"
          eicsetup sandbox down
        """,
        subcommands: [SandboxUp.self, SandboxDown.self, SandboxStatus.self, SandboxEnv.self]
    )
}

struct SandboxUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "up", abstract: "Start the sandbox.")
    func run() async throws { throw CommandError.notBuilt("sandbox up") }
}

struct SandboxDown: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop the sandbox.")
    func run() async throws { throw CommandError.notBuilt("sandbox down") }
}

struct SandboxStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the sandbox.")
    func run() async throws { throw CommandError.notBuilt("sandbox status") }
}

struct SandboxEnv: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "env", abstract: "Print export lines for the sandbox.")
    func run() async throws { throw CommandError.notBuilt("sandbox env") }
}
