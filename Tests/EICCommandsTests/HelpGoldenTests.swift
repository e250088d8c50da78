import ArgumentParser
import EICTestSupport
import Foundation
import Testing
@testable import EICCommands

/// Every command's `--help`, as the real binary prints it, compared with Fixtures/help/*.txt: the help
/// text is what a user learns the tool from, so a change to it is reviewed like a change to a view.
/// After an intended change, run with EICSETUP_UPDATE_GOLDEN=1 and review the diff.
@Suite struct HelpGoldenTests {
    static let fixtures = RepositoryPaths.root.appendingPathComponent("Tests/EICCommandsTests/Fixtures/help")

    /// Every command path, from the root's configuration, so a new subcommand is covered without a test edit.
    static let commandPaths: [[String]] = {
        func walk(_ command: any ParsableCommand.Type, _ path: [String]) -> [[String]] {
            [path] + command.configuration.subcommands.flatMap { sub -> [[String]] in
                guard let name = sub.configuration.commandName else { return [] }
                return walk(sub, path + [name])
            }
        }
        return walk(EICSetupCommand.self, [])
    }()

    static func fixtureName(_ path: [String]) -> String {
        (["eicsetup"] + path).joined(separator: "-") + ".txt"
    }

    @Test func everyCommandIsCovered() {
        #expect(Self.commandPaths.count >= 10, "the walk found \(Self.commandPaths)")
        #expect(Self.commandPaths.contains(["sandbox", "up"]))
    }

    @Test(arguments: commandPaths)
    func helpMatchesItsGoldenFile(_ path: [String]) async throws {
        // A fixed width: ArgumentParser wraps to the terminal's columns.
        let output = try await CLIRunner.run(path + ["--help"], environment: ["COLUMNS": "100", "PATH": "/usr/bin:/bin"])
        #expect(output.status == 0, "\(path) --help: \(output.stderr)")
        let file = Self.fixtures.appendingPathComponent(Self.fixtureName(path))
        if ProcessInfo.processInfo.environment["EICSETUP_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.fixtures, withIntermediateDirectories: true)
            try output.stdout.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(output.stdout == golden, "eicsetup \(path.joined(separator: " ")) --help differs from \(file.lastPathComponent)")
    }
}
