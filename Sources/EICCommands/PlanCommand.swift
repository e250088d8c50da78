import ArgumentParser
import EICAWS
import EICCore
import Foundation

/// `eicsetup plan`: Show what apply would change, reading only.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change, reading only.",
        discussion: """
        Reads only — AWS Describe/List/Get calls (a fixed number, whatever the fleet size) and one \
        read-only SSH probe per instance; with hostKeys accept-new, a new host key is trusted for the \
        probe only and apply records it in known_hosts — and prints what apply would do:
          + create   ~ update   ! conflict (a foreign AuthorizedKeysCommand, never overwritten)
          × unreachable or skipped (with the reason)   = already as planned (shown with -v)

        Exit codes: 0 ok, 1 error; with --detailed-exitcode, 2 means changes are pending; 130 after \
        Ctrl-C (the first starts no new probe, the second aborts at once).
        --out saves, to a new file (mode 0600; never over an existing file or through a symlink), the \
        plan with its ${VAR} values, the actions and fingerprints of everything observed, sealed with an \
        HMAC keyed by a per-user secret in ~/.config/eicsetup. `apply SAVED` carries out exactly those \
        actions, or refuses, naming what differs: an edited saved plan, a ${VAR} set to another value, \
        a changed plan file, or a changed target.

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
        if let out { try SavedPlanStore.checkNew(out) }
        var context = try FleetContext.load(planPath: plan, global: global, ssh: ssh)
        // plan only reads: with accept-new, a new host key is trusted for the probe and recorded by apply.
        context.connector = context.connector.deferringHostKeyRecords()
        let progress = ProgressLine()
        let observation: Observation
        do {
            let observer = context.observer(parallelism: parallelism, progress: progress)
            let (plan, region) = (context.plan, context.configuration.region)
            observation = try await CtrlC.guarding("Interrupted: no new host is probed, and no plan will be shown.") {
                try await observer.observe(plan, region: region)
            }
        } catch {
            progress.clear()
            throw error
        }
        progress.clear()
        let result = Planner(templates: context.templates).plan(context.plan, observation)
        let unrecorded = context.connector.unrecordedHostKeys
        if !unrecorded.isEmpty, let knownHosts = context.plan.instances?.ssh.knownHosts {
            FileHandle.standardError.write(Data(("Note: hostKeys is accept-new: \(unrecorded.count) new host key(s) were trusted for this plan "
                + "only and not written to \(knownHosts): \(unrecorded.joined(separator: ", ")). "
                + "apply records them when it connects.\n").utf8))
        }
        if json {
            print(try PlanView.json(result, observation), terminator: "")
        } else {
            print(PlanView.text(result, observation, verbose: global.verbose, style: .forStdout(noColor: global.noColor)), terminator: "")
        }
        if let out {
            let saved = SavedPlan(planFile: URL(fileURLWithPath: plan).standardizedFileURL.path, planText: context.planText,
                                  variables: context.variables, plan: context.plan, observation: observation, result: result,
                                  createdAt: AWSTimestamp.format(Date()))
            try SavedPlanStore.write(saved, to: out, environment: ProcessInfo.processInfo.environment)
            FileHandle.standardError.write(Data("Saved the plan to \(out); run `eicsetup apply \(out)` to carry it out.\n".utf8))
        }
        if detailedExitcode && result.summary.hasChanges { throw ExitCode(2) }
    }
}
