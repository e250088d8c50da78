import ArgumentParser
import Testing
@testable import EICCommands

/// Subcommands whose issue has not landed must refuse plainly instead of pretending to work.
@Suite struct UnbuiltCommandTests {
    @Test(arguments: [["verify", "fleet.json"]])
    func unbuiltCommandsFailWithAPlainMessage(_ arguments: [String]) async throws {
        var command = try EICSetupCommand.parseAsRoot(arguments)
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Issue.record("'\(arguments[0])' claimed success although it is not built")
        } catch let error as CommandError {
            #expect("\(error)".contains("not built yet"))
            #expect("\(error)".contains(arguments[0]))
        }
    }
}
