import EICSandbox
import Foundation

/// Renders sandbox summaries and status for people or machines.
enum SandboxView {
    static func summary(_ state: SandboxState) -> String {
        var lines = ["Local AWS   \(state.endpoint) (account \(state.accountId), region \(state.region))",
                     "Fleet key   \(state.fleetKeyPath)",
                     "known_hosts \(state.knownHostsPath)",
                     "", "INSTANCE             ADDRESS        USER      PERSONALITY"]
        for instance in state.instances {
            lines.append([instance.instanceId.padding(toLength: 20, withPad: " ", startingAt: 0),
                          instance.ipAddress.padding(toLength: 14, withPad: " ", startingAt: 0),
                          instance.loginUser.padding(toLength: 9, withPad: " ", startingAt: 0),
                          instance.personality].joined(separator: " "))
        }
        lines.append("")
        lines.append("Next: eval \"$(eicsetup sandbox env\(state.stateDirectory == SandboxLayout.defaultStateDirectory ? "" : " --state-dir \(state.stateDirectory)"))\"")
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ status: SandboxStatus) -> String {
        var lines = ["Local AWS  \(status.endpoint) \(status.awsRunning ? "running" : "NOT RUNNING")",
                     "", "INSTANCE             ADDRESS        PERSONALITY           STATE      SSH   MEMORY"]
        for instance in status.instances {
            lines.append([instance.instanceId.padding(toLength: 20, withPad: " ", startingAt: 0),
                          instance.ipAddress.padding(toLength: 14, withPad: " ", startingAt: 0),
                          instance.personality.padding(toLength: 21, withPad: " ", startingAt: 0),
                          (instance.running ? "running" : "stopped").padding(toLength: 10, withPad: " ", startingAt: 0),
                          (instance.sshListening ? "yes" : "no").padding(toLength: 5, withPad: " ", startingAt: 0),
                          String(format: "%.1f MiB", Double(instance.memoryKiB) / 1024)].joined(separator: " "))
        }
        let count = max(1, status.instances.count)
        lines.append("")
        lines.append(String(format: "%d instances, %.1f MiB in all, %.1f MiB per instance (proportional set size)", status.instances.count,
                            Double(status.totalInstanceKiB) / 1024, Double(status.totalInstanceKiB) / 1024 / Double(count)))
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ status: SandboxStatus) throws -> String {
        struct Document: Encodable {
            let formatVersion = "1"
            let status: SandboxStatus
            let totalInstanceKiB: Int
        }
        return try JSONDocument.render(Document(status: status, totalInstanceKiB: status.totalInstanceKiB))
    }
}
