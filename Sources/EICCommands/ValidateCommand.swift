import ArgumentParser
import EICCore
import Foundation

/// `eicsetup validate`: check a plan file without touching AWS or any host.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a plan file: JSON syntax, keys, values, variables and local files.",
        discussion: """
        Reads nothing remote. Reports every problem at once, each with its JSON path and the fix, e.g.
          instances.ssh.hostKeys: "yes" is not one of strict, accept-new
        ${NAME} in a value is taken from the environment; an unset or empty variable is an error.
        Exit codes: 0 valid, 1 invalid.

        Examples:
          eicsetup validate fleet.json
          EICSETUP_SANDBOX_KEY=~/.ssh/fleet.pem eicsetup validate playbooks/sandbox.json
        """
    )

    @OptionGroup var ssh: SSHOptions
    @Argument(help: "The plan file (JSON).") var plan: String

    func run() throws {
        let (_, decoded) = try FleetContext.readPlan(plan, environment: ProcessInfo.processInfo.environment, overrides: ssh)
        var parts: [String] = []
        if !decoded.securityGroups.isEmpty { parts.append("\(decoded.securityGroups.count) security group entr\(decoded.securityGroups.count == 1 ? "y" : "ies")") }
        if decoded.instances != nil { parts.append("an instance selection") }
        if let iam = decoded.iam { parts.append("\(iam.policies.count) polic\(iam.policies.count == 1 ? "y" : "ies"), \(iam.attachments.count) attachment\(iam.attachments.count == 1 ? "" : "s")") }
        print("\(plan) is a valid plan" + (parts.isEmpty ? " (it asks for nothing)." : ": " + parts.joined(separator: "; ") + "."))
    }
}
