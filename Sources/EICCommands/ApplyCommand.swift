import ArgumentParser
import EICCore
import Foundation

/// `eicsetup apply`: carry out a plan (or a saved plan).
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out a plan: security groups, IAM, and the package on every instance.",
        discussion: """
        Observes like `plan`, shows what it will do, asks for the exact answer 'yes' (or \
        --auto-approve; without a terminal it refuses to ask), then: IAM and security-group changes \
        first, then the instances in parallel (--parallelism). Each instance is installed or upgraded \
        over the session its probe opened (kept for at most --parallelism hosts; the others, or one \
        that timed out while you read the plan, get a new one) and probed again: it counts as done \
        only when sshd's effective configuration runs EIC's command. Foreign AuthorizedKeysCommands \
        are never touched.

        A saved plan (`plan --out`) is carried out exactly as reviewed: its saved ${VAR} values and \
        actions, never the current environment's. Apply refuses it, names what differs and changes \
        nothing when the file was edited (its HMAC no longer matches), a ${VAR} it used is now set to \
        another value, the plan file changed, or any target it observed changed since. With \
        --verify, the logins are checked even when there was nothing to change.

        Running it again changes nothing. The first Ctrl-C starts no new action and lets running ones \
        finish (within the plan's timeouts); a second one aborts at once.
        Exit codes: 0 everything onboarded; 1 anything failed, conflicted, was unreachable or skipped \
        (everything else that could be done was done); 130 after Ctrl-C.

        Examples:
          eicsetup apply fleet.json
          eicsetup apply fleet.saved.json --auto-approve --parallelism 25
          eicsetup apply playbooks/sandbox.json --auto-approve --verify
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions
    @Argument(help: "A plan file, or a plan saved by `plan --out`.") var plan: String
    @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation.") var autoApprove = false
    @Flag(help: "Print the plan and the events as JSON lines.") var json = false
    @Option(help: "Instances worked on at once (1-500).") var parallelism: Int = Parallelism.preferred
    @Flag(help: "Afterwards, do a real EC2 Instance Connect login on every instance (like `eicsetup verify`).") var verify = false

    func validate() throws {
        guard Parallelism.range.contains(parallelism) else { throw ValidationError("--parallelism must be between 1 and 500.") }
    }

    func run() async throws {
        let text = try FleetContext.readText(plan)
        let environment = ProcessInfo.processInfo.environment
        var saved: SavedPlan?
        if SealedSavedPlan.looksSaved(text) {
            let opened = try SavedPlanStore.read(text, path: plan, environment: environment)
            let planFileNow = FileManager.default.contents(atPath: opened.planFile).map { String(decoding: $0, as: UTF8.self) }
            if let refusal = opened.refusal(environment: environment, planFileNow: planFileNow) {
                throw PlanError.savedPlanRefused(file: plan, refusal)
            }
            saved = opened
        }
        let context = try saved.map { try FleetContext.load(saved: $0, global: global, ssh: ssh) }
            ?? FleetContext.load(planPath: plan, global: global, ssh: ssh, text: text)
        if !autoApprove && isatty(STDIN_FILENO) != 1 {
            throw CommandError.usage("apply asks for confirmation on a terminal; without one, pass --auto-approve.")
        }
        let parallelism = Parallelism.fitting(parallelism)
        let progress = ProgressLine()
        // Hosts with nothing to do close their session after the probe; at most `parallelism` of the
        // others stay open, so sockets, threads and memory grow with parallelism, not with the fleet.
        let hosts = context.hostConnector(parallelism: parallelism)
        let section = context.plan.instances
        let sessions = HostSessions(connector: hosts, limit: parallelism) { observed in
            section.map { Planner.needsHostCommands(observed, $0) } ?? false
        }
        let observer = context.observer(parallelism: parallelism, progress: progress, hosts: hosts)
        let (planFile, region) = (context.plan, context.configuration.region)
        let observation: Observation
        do {
            observation = try await CtrlC.guarding("Interrupted: no new host is probed; nothing will be changed.") {
                try await observer.observe(planFile, region: region, into: sessions)
            }
        } catch {
            progress.clear()
            await sessions.closeAll()
            throw error
        }
        progress.clear()
        // Everything after the probes runs in `proceed`, so that the sessions the probes kept open are
        // closed (awaited) on every path before `run` returns. Closing them in a detached task raced with
        // the process exit: a dedicated SSH thread still freeing its libssh2 session while exit() ran the
        // libraries' cleanup crashed apply with SIGSEGV (exit 139) after it had printed its summary.
        func proceed() async throws {
            let result = Planner(templates: context.templates).plan(context.plan, observation)
            if let saved, let refusal = saved.refusal(observation: observation, fresh: result) {
                throw PlanError.savedPlanRefused(file: plan, refusal)
            }
            // A saved plan's own actions are carried out: the check above proved they are what would be planned now.
            let actions = saved?.actions ?? result.actions
            let style = Style.forStdout(noColor: global.noColor)
            let view = ApplyView(json: json, style: style)
            if json {
                view.emit(try PlanView.json(result, observation).replacingOccurrences(of: "\n", with: " "))
            } else {
                print(PlanView.text(result, observation, verbose: global.verbose, style: style), terminator: "")
            }
            var outcomes: [ActionOutcome] = []
            if result.summary.hasChanges {
                if !autoApprove && !Self.confirm() {
                    print("Apply cancelled; nothing was changed.")
                    throw ExitCode.failure
                }
                let executor = Executor(cloud: context.cloud, sessions: sessions, parallelism: parallelism) { event in
                    view.event(event)
                }
                let interrupt = CtrlC(nil) { executor.stop(); view.interrupted() }
                outcomes = await executor.run(actions)
                interrupt.cancel()
                let pruned = Set(actions.filter { action in
                    if case .updatePolicy(_, _, _, let prune?) = action.operation { return !prune.isEmpty }
                    return false
                }.map(\.address))
                view.summary(outcomes, destroyed: outcomes.filter { pruned.contains($0.address) && $0.status == .changed }.count)
                if interrupt.interrupted { throw ExitCode(130) }
            } else if result.summary.needsAttention && !verify {
                throw ExitCode.failure
            }
            var verified = true
            // --verify runs even when there was nothing to change: the user asked whether logins work.
            if verify {
                print("")
                verified = try await VerifyCommand.verify(context, parallelism: parallelism, iamWait: 30, json: json, noColor: global.noColor)
            }
            if !verified || outcomes.contains(where: { ![.ok, .changed].contains($0.status) })
                || (outcomes.isEmpty && result.summary.needsAttention) { throw ExitCode.failure }
        }
        do {
            try await proceed()
        } catch {
            await sessions.closeAll()
            throw error
        }
        await sessions.closeAll()
    }

    static func confirm() -> Bool {
        print("\nApply these actions? Only 'yes' will be accepted: ", terminator: "")
        fflush(nil)
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }
}
