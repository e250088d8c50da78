import ArgumentParser
import EICPlaybooks
import Foundation

/// `eicsetup init`: write a starter plan from one of the ready playbooks.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter plan from a ready playbook.",
        discussion: """
        Copies a playbook to a new file (never overwriting one) for you to edit, then \
        `eicsetup validate` and `eicsetup plan` it. Playbooks: \(Playbooks.names.joined(separator: ", ")).

        Examples:
          eicsetup init                                   # al2-fleet-by-tag → eicsetup.json
          eicsetup init --template mixed-fleet-by-ids --output fleet.json
        """
    )

    @Option(help: "The playbook to start from.", completion: .list(Playbooks.names))
    var template = "al2-fleet-by-tag"
    @Option(help: "The file to write.") var output = "eicsetup.json"

    func run() throws {
        guard let text = Playbooks.text(template) else {
            throw ValidationError("unknown template '\(template)'; choose one of \(Playbooks.names.joined(separator: ", ")).")
        }
        guard !FileManager.default.fileExists(atPath: output) else {
            throw CommandError.usage("\(output) already exists; choose another --output (eicsetup init never overwrites a file).")
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else {
            throw CommandError.usage("cannot write \(output).")
        }
        print("Wrote \(output) from the \(template) playbook. Edit it, then run: eicsetup validate \(output) && eicsetup plan \(output)")
    }
}
