import ArgumentParser
import EICCore
import Foundation

/// `eicsetup plan`: Show what apply would change, reading only.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change, reading only.",
        discussion: """
        Reads only — AWS Describe/List/Get calls (a fixed number, whatever the fleet size) and one \
        read-only SSH probe per instance — and prints what apply would do:
          + create   ~ update   ! conflict (a foreign AuthorizedKeysCommand, never overwritten)
          × unreachable or skipped (with the reason)   = already as planned (shown with -v)

        Exit codes: 0 ok, 1 error; with --detailed-exitcode, 2 means changes are pending.
        --out saves the plan with fingerprints of everything observed (mode 0600); `apply SAVED` then \
        refuses if any target changed in the meantime.

        Examples:
          eicsetup plan fleet.json
          eicsetup plan fleet.json --out fleet.saved.json --detailed-exitcode
          eicsetup plan playbooks/sandbox.json --json > plan.json
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions
    @Argument(help: "The plan file (JSON).") var plan: String
    @Option(help: "Save the plan and what was observed, for a later apply.") var out: String?
    @Flag(help: "Print one versioned JSON document instead of text.") var json = false
    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when changes are pending.") var detailedExitcode = false
    @Option(help: "Hosts probed at once (1-500).") var parallelism: Int = Parallelism.preferred

    func validate() throws {
        guard Parallelism.range.contains(parallelism) else { throw ValidationError("--parallelism must be between 1 and 500.") }
    }

    func run() async throws {
        let parallelism = Parallelism.fitting(parallelism)
        let context = try FleetContext.load(planPath: plan, global: global, ssh: ssh)
        let progress = ProgressLine()
        let observation: Observation
        do {
            (observation, _) = try await context.observer(parallelism: parallelism, progress: progress)
                .observe(context.plan, region: context.configuration.region)
        } catch {
            progress.clear()
            throw error
        }
        progress.clear()
        let result = Planner(templates: context.templates).plan(context.plan, observation)
        if json {
            print(try PlanView.json(result, observation), terminator: "")
        } else {
            print(PlanView.text(result, observation, verbose: global.verbose, style: .forStdout(noColor: global.noColor)), terminator: "")
        }
        if let out {
            try SavedPlan(context: context, observation: observation, result: result).write(to: out)
            FileHandle.standardError.write(Data("Saved the plan to \(out); run `eicsetup apply \(out)` to carry it out.\n".utf8))
        }
        if detailedExitcode && result.summary.hasChanges { throw ExitCode(2) }
    }
}

/// A plan saved by `plan --out`: the plan text (variables unexpanded, so no value from the environment
/// is stored), what it would do, and fingerprints of every observed target. No secrets.
struct SavedPlan: Codable {
    var format_version = "1"
    var kind = SavedPlan.kindTag
    var planFile: String
    var planText: String
    var region: String
    var account: String
    var createdAt: String
    var fingerprints: [String: String]
    var actions: [PlanView.Document.Action]

    static let kindTag = "eicsetup-saved-plan"

    init(context: FleetContext, observation: Observation, result: PlanResult) {
        planFile = context.planPath
        planText = context.planText
        region = observation.region
        account = observation.caller.account
        createdAt = ISO8601DateFormatter().string(from: Date())
        fingerprints = observation.fingerprints()
        actions = PlanView.Document(result, observation).actions
    }

    /// Writes the file readable by its owner only. Its own encoder, not `JSONDocument`'s: the
    /// fingerprint keys (target addresses) must be stored exactly as they are compared.
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CommandError.usage("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw CommandError.usage("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The saved plan in `text`, or nil when it is not one (then it is a plan file).
    static func read(_ text: String) -> SavedPlan? {
        guard text.contains(kindTag), let plan = try? JSONDecoder().decode(SavedPlan.self, from: Data(text.utf8)),
              plan.kind == kindTag else { return nil }
        return plan
    }

    /// Targets whose fingerprint differs from `now` (added and vanished targets included), sorted.
    func changedTargets(_ now: [String: String]) -> [String] {
        Set(fingerprints.keys).union(now.keys).filter { fingerprints[$0] != now[$0] }.sorted()
    }
}
