import ArgumentParser
import EICSandbox
import Foundation

/// `eicsetup sandbox`: the local AWS + fleet test bed (design §6).
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local AWS (moto) and a local fleet of real sshd instances for trying eicsetup.",
        discussion: """
        Needs root. Everything listens on loopback addresses only: the local AWS on 127.0.0.1, each \
        instance's sshd on its own 127.0.x.y:22 inside its own mount namespace.

        Personalities and mixes are the rows of sandbox/personalities.tsv; `eicsetup sandbox up --help` lists them.

        Example:
          eicsetup sandbox up --instances 12
          eval "$(eicsetup sandbox env)"
          aws ec2 describe-instances
          ssh -i "$EICSETUP_SANDBOX_KEY" -o UserKnownHostsFile="$EICSETUP_SANDBOX_KNOWN_HOSTS" ec2-user@127.0.1.11 true
          eicsetup sandbox down
        """,
        subcommands: [SandboxUp.self, SandboxDown.self, SandboxStatusCommand.self, SandboxEnv.self]
    )
}

/// The state-directory option every sandbox subcommand shares.
struct SandboxDirectoryOption: ParsableArguments {
    @Option(name: .customLong("state-dir"),
            help: "Where the sandbox keeps its state (default: $EICSETUP_SANDBOX_DIR or \(SandboxLayout.defaultStateDirectory)).")
    var stateDirectory: String?

    var resolved: String {
        stateDirectory ?? ProcessInfo.processInfo.environment["EICSETUP_SANDBOX_DIR"] ?? SandboxLayout.defaultStateDirectory
    }
}

struct SandboxUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Start the local AWS and the fleet.",
        discussion: """
        Examples:
          eicsetup sandbox up                                   # one instance of each personality
          eicsetup sandbox up --instances 200 --mix preconfigured
          eicsetup sandbox up --personalities al2-old=2,ubuntu-20.04=3 --faults throttle=0.1
          eicsetup sandbox up --mix ssm                         # half the fleet reachable only through SSM
        Faults: throttle=P, error5xx=P (share P of EC2 calls), iam-delay=S, ssh-drop=P, slow-install=S,
        ssm-throttle=P (share P of SSM calls answer ThrottlingException), ssm-fail=P (share P of SSM
        command invocations end Failed, ResponseCode 1, without running the script).
        """)

    @OptionGroup var directory: SandboxDirectoryOption
    @Option(help: "Number of instances (the mix repeats).") var instances: Int?
    // The table is read here, when `sandbox up` itself is parsed, not in a configuration that every
    // eicsetup command would evaluate at start-up.
    @Option(help: ArgumentHelp("A named mix of personalities.", discussion: SandboxUp.mixSummary),
            completion: .list(SandboxUp.mixNames)) var mix: String?
    @Option(help: ArgumentHelp("Explicit counts, e.g. al2-old=3,ubuntu-20.04=2.", discussion: SandboxUp.personalitySummary))
    var personalities: String?
    @Option(help: "Fault injection, e.g. throttle=0.2,iam-delay=5.") var faults: String?
    @Option(help: "Loopback port for the local AWS (default: a free one).") var port: Int?
    @Option(help: "Third octet of the fleet's first /24: instances get 127.0.SUBNET.10 and up.") var subnet: Int = 1

    func validate() throws {
        // Every number is range-checked here, at parse time (exit 64), before anything starts.
        if let port, !SandboxOptions.portRange.contains(port) {
            throw ValidationError("--port must be between 1 and 65535 (got \(port)).")
        }
        guard SandboxOptions.subnetRange.contains(subnet) else {
            throw ValidationError("--subnet must be between 1 and 254 (got \(subnet)).")
        }
        if let instances, !SandboxOptions.instanceRange.contains(instances) {
            throw ValidationError("--instances must be between 1 and \(SandboxOptions.instanceRange.upperBound) (got \(instances)).")
        }
        do {
            if let faults { _ = try FaultSpec(faults) }
            var options = SandboxOptions(stateDirectory: directory.resolved,
                                         personalities: try chosenPersonalities(),
                                         faults: faults, port: port)
            options.firstSubnet = subnet
            try options.validate()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The personality names for this run, from the repository's sandbox/personalities.tsv.
    func chosenPersonalities() throws(SandboxError) -> [String] {
        try Self.table().plan(count: instances, mix: mix, counts: personalities)
    }

    static func table() throws(SandboxError) -> PersonalityTable { try loadedTable.get() }

    /// Read once per process: ArgumentParser builds the options (and so their help texts) many times.
    private static let loadedTable = Result { () throws(SandboxError) -> PersonalityTable in
        guard let repository = SandboxLayout.locateRepository() else {
            throw .missingTool("sandbox/personalities.tsv", hint: "run eicsetup from its repository, or set EICSETUP_HOME to it")
        }
        return try PersonalityTable.load(repository: repository)
    }

    /// The mixes the table defines, for shell completion (none when the repository is not at hand).
    static var mixNames: [String] { (try? table())?.mixes.keys.sorted() ?? [] }

    static var mixSummary: String {
        let names = mixNames.map { $0 == "default" ? "default (every personality once, in table order)" : $0 }
        return names.isEmpty ? "The mixes of sandbox/personalities.tsv." : "Mixes: \(names.joined(separator: ", "))."
    }

    static var personalitySummary: String {
        guard let table = try? table() else { return "Names: the rows of sandbox/personalities.tsv." }
        return "Names (sandbox/personalities.tsv): \(table.names.joined(separator: ", "))."
    }

    func run() async throws {
        let plan = try chosenPersonalities()
        var options = SandboxOptions(stateDirectory: directory.resolved, personalities: plan, faults: faults, port: port)
        options.parallelism = 8
        options.firstSubnet = subnet
        let layout = try SandboxLayout.locate()
        // Ctrl-C/SIGTERM cancel the start; Sandbox.up then stops what it started before we exit.
        let interruption = SignalInterruption()
        defer { interruption.restore() }
        let start = Task { () async throws(SandboxError) -> SandboxState in
            try await Sandbox.up(options, layout: layout) { message in
                FileHandle.standardError.write(Data("sandbox: \(message)\n".utf8))
            }
        }
        interruption.onSignal { number in
            FileHandle.standardError.write(Data("sandbox: \(SignalInterruption.name(number)) received; stopping what was started\n".utf8))
            start.cancel()
        }
        let state: SandboxState
        do {
            state = try await start.value
        } catch SandboxError.interrupted {
            let number = interruption.receivedSignal ?? SIGINT
            FileHandle.standardError.write(Data("Error: \(SandboxError.interrupted)\n".utf8))
            throw ExitCode(128 + number)
        }
        print(SandboxView.summary(state), terminator: "")
    }
}

struct SandboxDown: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Stop every sandbox process and remove its state (safe to run twice).",
        discussion: """
        Stops each instance (its whole mount namespace) and the local AWS by pid, then removes the state
        directory, which holds the sandbox's access keys.

        Example:
          eicsetup sandbox down
          eicsetup sandbox down --state-dir /tmp/my-sandbox
        """)

    @OptionGroup var directory: SandboxDirectoryOption

    func run() async throws {
        try await Sandbox.down(stateDirectory: directory.resolved, layout: try SandboxLayout.locate()) { message in
            FileHandle.standardError.write(Data("sandbox: \(message)\n".utf8))
        }
    }
}

struct SandboxStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the sandbox's instances, whether they answer, and their memory.",
        discussion: """
        Memory is the proportional set size of every process in an instance's namespace.

        Example:
          eicsetup sandbox status
          eicsetup sandbox status --json | jq '.status.instances[] | select(.ssh_listening | not)'
        """)

    @OptionGroup var directory: SandboxDirectoryOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let status = try Sandbox.status(stateDirectory: directory.resolved)
        print(json ? try SandboxView.json(status) : SandboxView.text(status), terminator: "")
    }
}

struct SandboxEnv: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env", abstract: "Print export lines for the sandbox (use with eval).",
        discussion: """
        Example:
          eval "$(eicsetup sandbox env)"                 # as the admin
          eval "$(eicsetup sandbox env --as eic-user)"   # as the IAM user that will use EIC
        """)

    @OptionGroup var directory: SandboxDirectoryOption
    @Option(name: .customLong("as"), help: "admin (default) or eic-user.", completion: .list(["admin", "eic-user"]))
    var identity: String = "admin"

    func validate() throws {
        guard identity == "admin" || identity == "eic-user" else {
            throw ValidationError("--as takes admin or eic-user")
        }
    }

    func run() async throws {
        guard let state = try SandboxState.load(from: directory.resolved) else {
            throw SandboxError.notUp(stateDirectory: directory.resolved)
        }
        print(Sandbox.environmentExports(state, asEICUser: identity == "eic-user"), terminator: "")
    }
}
