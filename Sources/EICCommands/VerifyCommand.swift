import ArgumentParser
import EICAWS
import EICCore
import EICSSH
import Foundation

/// `eicsetup verify`: a real EC2 Instance Connect login on every instance of a plan.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Do a real EC2 Instance Connect login to every instance of a plan, with a diagnosis on failure.",
        discussion: """
        For every selected instance: an ephemeral ed25519 key (in memory only) is pushed with \
        SendSSHPublicKey for the instance's login user (when the plan's policies allow it), then used to \
        log in and run `true` — in parallel, within each key's 60 seconds. AccessDenied is retried for \
        --iam-wait seconds, since IAM changes take a moment to reach EC2 Instance Connect.

        A failed host gets a diagnosis: no IAM permission, security group without tcp/22 from here, \
        host unreachable, host key mismatch, EIC not configured (package missing, foreign \
        AuthorizedKeysCommand, sshd not restarted — from a probe over the fleet key when it is \
        readable), or key expired before the login. Exit 0 only if every host passes; 130 after \
        Ctrl-C (the first starts no new login, the second aborts at once). The plan's \
        connectTimeoutSeconds and commandTimeoutSeconds bound every login.

        Run it as the people who will log in, e.g. with their profile:
          eicsetup verify fleet.json --profile colleague
          eicsetup verify playbooks/sandbox.json --json
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions
    @Argument(help: "The plan file (JSON).") var plan: String
    @Flag(help: "Print one JSON document instead of the table.") var json = false
    @Option(help: "Logins at once (1-500).") var parallelism: Int = Parallelism.preferred
    @Option(name: .customLong("iam-wait"), help: "Seconds to keep retrying AccessDenied (0-600).") var iamWait: Int = 30

    func validate() throws {
        guard Parallelism.range.contains(parallelism) else { throw ValidationError("--parallelism must be between 1 and 500.") }
        guard (0...600).contains(iamWait) else { throw ValidationError("--iam-wait must be between 0 and 600 seconds.") }
    }

    func run() async throws {
        let parallelism = Parallelism.fitting(parallelism)
        let context = try FleetContext.load(planPath: plan, global: global, ssh: ssh, requireFleetKey: false)
        let passed = try await Self.verify(context, parallelism: parallelism, iamWait: iamWait, json: json, noColor: global.noColor)
        if !passed { throw ExitCode.failure }
    }

    /// Runs the verification of `context`'s plan and prints it; true when every host passed.
    static func verify(_ context: FleetContext, parallelism: Int, iamWait: Int, json: Bool, noColor: Bool) async throws -> Bool {
        guard let section = context.plan.instances else {
            throw CommandError.usage("\(context.planPath) selects no instances (no \"instances\" section); there is nothing to verify.")
        }
        let osUsers = Array(Set(context.plan.iam?.policies.flatMap(\.osUsers) ?? [])).sorted()
        let progress = ProgressLine()
        progress.update("reading the fleet…")
        let canProbe = section.ssh.identityFile.map { access($0, R_OK) == 0 } ?? false
        let observer = context.observer(parallelism: parallelism, progress: progress)
        let (plan, region) = (context.plan, context.configuration.region)
        // The plan's timeouts bound every login, its command included (not the SSH layer's 300 s default).
        let login = InstanceConnectLogin(instanceConnect: InstanceConnectClient(client: context.client),
                                         knownHostsPath: section.ssh.knownHosts,
                                         hostKeyPolicy: section.ssh.hostKeys == .acceptNew ? .acceptNew : .strict,
                                         connectTimeoutMilliseconds: section.ssh.connectTimeoutSeconds * 1000,
                                         commandTimeoutMilliseconds: section.ssh.commandTimeoutSeconds * 1000)
        let verifier = Verifier(login: login, parallelism: parallelism, accessDeniedRetrySeconds: Double(iamWait))
        let (observation, results): (Observation, [VerifyResult])
        do {
            (observation, results) = try await CtrlC.guarding("Interrupted: no new login starts, and no result will be shown.") {
                let observation = try await observer.observeForVerify(plan, region: region, probeHosts: canProbe)
                progress.update("logging in to \(observation.instances.count) instances…")
                let results = await verifier.verify(observation, osUsers: osUsers.isEmpty ? ["ec2-user", "ubuntu"] : osUsers, settings: section.ssh)
                return (observation, results)
            }
        } catch {
            progress.clear()
            throw error
        }
        progress.clear()
        if json {
            print(try VerifyView.json(results, observation), terminator: "")
        } else {
            print(VerifyView.text(results, observation, style: .forStdout(noColor: noColor)), terminator: "")
        }
        return results.allSatisfy(\.passed)
    }
}
