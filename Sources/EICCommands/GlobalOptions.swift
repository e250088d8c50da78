import ArgumentParser
import EICAWS
import Foundation

/// Options every AWS-facing subcommand accepts (design §2, "global").
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(help: "Use this named profile from ~/.aws/config and ~/.aws/credentials.")
    public var profile: String?

    @Option(help: "AWS region (overrides AWS_REGION, AWS_DEFAULT_REGION and the profile).")
    public var region: String?

    @Option(name: .customLong("endpoint-url"),
            help: "Send every AWS call to this endpoint (e.g. the sandbox's http://127.0.0.1:PORT).")
    public var endpointURL: String?

    @Flag(name: .customLong("no-color"), help: "Do not colour the output (also: NO_COLOR=1; pipes are never coloured).")
    public var noColor = false

    @Flag(name: [.short, .long], help: "Show each AWS call on stderr: service, operation, status, attempt, duration, request id.")
    public var verbose = false

    public init() {}

    /// Usage errors (exit 64) before anything runs: an empty or malformed endpoint, AWS_MAX_ATTEMPTS out
    /// of range. Values from the shared files are checked when they are read (they name file and line).
    public func validate() throws {
        do {
            try AWSConfiguration.validate(environment: ProcessInfo.processInfo.environment, endpointURL: endpointURL)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

extension GlobalOptions {
    /// Resolves region, endpoints and the credential chain from these flags and the environment.
    func awsConfiguration() throws -> AWSConfiguration {
        try AWSConfiguration.resolve(profile: profile, region: region, endpointURL: endpointURL,
                                     observer: verbose ? VerboseLog.observer(style: style) : .none)
    }

    /// Colour for stderr, from --no-color, NO_COLOR and whether stderr is a terminal.
    var style: TerminalStyle { TerminalStyle.decide(noColorFlag: noColor) }
}
