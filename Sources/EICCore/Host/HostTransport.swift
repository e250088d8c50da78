/// How the core reaches a host (issue 21): the operator's own SSH connection, or AWS Systems Manager
/// Run Command, whose agent on the instance runs the same fixed commands as root. Both sit behind the
/// `HostConnector` port; the planner and executor do not tell them apart except to name them.
public enum HostTransport: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case ssh
    case ssm

    public var description: String { rawValue }
}

/// The plan's `instances.transport`: SSH to every instance, SSM to every instance, or SSM where the
/// instance's agent is online and SSH elsewhere.
public enum TransportChoice: String, Sendable, Codable, CaseIterable {
    case ssh, ssm, auto
}

/// An instance's SSM agent as DescribeInstanceInformation reports it (`PingStatus`); an instance that
/// is not listed at all has no registered agent.
public enum AgentState: String, Sendable, Codable {
    case online = "Online"
    case connectionLost = "ConnectionLost"
    case inactive = "Inactive"
}

/// Run Command's rate control for each SendCommand (`instances.ssm` in the plan). Values are AWS's: a
/// count ("10") or a percentage ("25%") of the command's targets. nil: `--parallelism` bounds
/// concurrency, and errors never stop the rest of a batch (one host's failure is its own).
public struct SSMSettings: Sendable, Equatable, Codable {
    public var maxConcurrency: String?
    public var maxErrors: String?

    public init(maxConcurrency: String? = nil, maxErrors: String? = nil) {
        self.maxConcurrency = maxConcurrency
        self.maxErrors = maxErrors
    }

    /// AWS's pattern for MaxConcurrency: a positive count, or 1%–100%.
    public static func isValidConcurrency(_ text: String) -> Bool {
        guard text.hasSuffix("%") else { return TextShape.isCount(text, maxDigits: 7, zero: false) }
        let percent = text.dropLast()
        return percent == "100" || TextShape.isCount(percent, maxDigits: 2, zero: false)
    }

    /// AWS's pattern for MaxErrors: a count (0 stops at the first failure), or 0%–100%.
    public static func isValidErrors(_ text: String) -> Bool {
        guard text.hasSuffix("%") else { return TextShape.isCount(text, maxDigits: 7, zero: true) }
        let percent = text.dropLast()
        return percent == "100" || TextShape.isCount(percent, maxDigits: 2, zero: true)
    }
}
