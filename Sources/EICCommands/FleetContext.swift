import ArgumentParser
import EICAWS
import EICCore
import EICSSH
import EICTemplates
import Foundation

/// What plan, apply and verify share: the plan file read and validated, the AWS client, the SSH
/// connector and the observer wired to them (adapters on the outside, the core in the middle).
struct FleetContext {
    let planPath: String
    let planText: String
    let plan: PlanFile
    /// `${NAME}` → the value the plan used (a saved plan records them).
    let variables: [String: String]
    let configuration: AWSConfiguration
    let client: AWSClient
    let cloud: AWSCloud
    /// `var`: plan swaps in a connector that records no host key (`deferringHostKeyRecords`).
    var connector: SSHHostConnector
    let templates: PolicyTemplates

    /// Reads `path`, applies the SSH option overrides, and resolves AWS settings (explicit --region
    /// wins, then the plan's region, then the environment and profile).
    static func load(planPath: String, global: GlobalOptions, ssh: SSHOptions, text given: String? = nil,
                     requireFleetKey: Bool = true) throws -> FleetContext {
        let environment = ProcessInfo.processInfo.environment
        let text = try given ?? readText(planPath)
        let (decoded, variables) = try PlanDecoder(environment: environment).decodeRecordingVariables(text, file: planPath)
        let plan = try prepare(decoded, planPath, environment: environment, overrides: ssh, requireFleetKey: requireFleetKey)
        return try load(planPath: planPath, text: text, plan: plan, variables: variables, global: global)
    }

    /// The context of a saved plan: its expanded plan (this command's SSH overrides applied on top),
    /// never the environment's values of its variables.
    static func load(saved: SavedPlan, global: GlobalOptions, ssh: SSHOptions) throws -> FleetContext {
        let plan = try prepare(saved.plan, saved.planFile, environment: ProcessInfo.processInfo.environment, overrides: ssh, requireFleetKey: true)
        return try load(planPath: saved.planFile, text: saved.planText, plan: plan, variables: saved.variables, global: global)
    }

    private static func load(planPath: String, text: String, plan: PlanFile, variables: [String: String],
                             global: GlobalOptions) throws -> FleetContext {
        let environment = ProcessInfo.processInfo.environment
        // -v: one stderr line per AWS call attempt, as for whoami and ssh (plan, apply and verify once logged none).
        let configuration = try AWSConfiguration.resolve(profile: global.profile, region: global.region ?? plan.region,
                                                         endpointURL: global.endpointURL,
                                                         observer: global.verbose ? VerboseLog.observer(style: global.style) : .none)
        let client = configuration.client()
        guard let loaded = Templates.policyTemplates else {
            throw CommandError.usage("the IAM policy templates are missing next to the eicsetup binary (eicsetup_EICTemplates.resources); reinstall it with its resources")
        }
        return FleetContext(planPath: planPath, planText: text, plan: plan, variables: variables, configuration: configuration, client: client,
                            cloud: AWSCloud(client: client),
                            connector: SSHHostConnector(passphrase: .environmentOrPrompt(environment), agentSocket: environment["SSH_AUTH_SOCK"]),
                            templates: PolicyTemplates(byInstanceArn: loaded.byInstanceArn, byTag: loaded.byTag))
    }

    /// The plan file decoded, validated, with local checks (key file, known_hosts) and overrides applied.
    /// Without `requireFleetKey` (verify: a colleague may not have the fleet's key), a missing or
    /// unusable key file is no error.
    static func readPlan(_ path: String, environment: [String: String], overrides: SSHOptions, text given: String? = nil,
                         requireFleetKey: Bool = true) throws -> (String, PlanFile) {
        let text = try given ?? readText(path)
        let plan = try PlanDecoder(environment: environment).decode(text, file: path)
        return (text, try prepare(plan, path, environment: environment, overrides: overrides, requireFleetKey: requireFleetKey))
    }

    /// `plan` with the SSH overrides and `~` expanded, after the local checks (key file, known_hosts).
    static func prepare(_ decoded: PlanFile, _ path: String, environment: [String: String], overrides: SSHOptions,
                        requireFleetKey: Bool) throws -> PlanFile {
        var plan = decoded
        if var section = plan.instances {
            overrides.apply(to: &section.ssh)
            section.ssh.identityFile = section.ssh.identityFile.map(Paths.expandTilde)
            section.ssh.knownHosts = Paths.expandTilde(section.ssh.knownHosts)
            var issues: [PlanIssue] = []
            if requireFleetKey, let key = section.ssh.identityFile, let problem = LocalChecks.identityFile(key) {
                issues.append(PlanIssue(path: "instances.ssh.identityFile", message: problem))
            }
            if requireFleetKey, section.ssh.identityFile == nil, environment["SSH_AUTH_SOCK"] == nil {
                issues.append(PlanIssue(path: "instances.ssh.identityFile", message: "missing, and no ssh-agent (SSH_AUTH_SOCK) is running; name the fleet's key file"))
            }
            if section.ssh.hostKeys == .strict, !FileManager.default.fileExists(atPath: section.ssh.knownHosts) {
                issues.append(PlanIssue(path: "instances.ssh.knownHosts",
                                        message: "\(section.ssh.knownHosts) does not exist and hostKeys is strict, so every host would be refused; create it with the fleet's host keys or use \"accept-new\""))
            }
            guard issues.isEmpty else { throw PlanError.invalid(file: path, issues: issues) }
            plan.instances = section
        }
        return plan
    }

    /// The file's text, or why not.
    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlanError.unreadable(file: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PlanError.unreadable(file: path, reason: "not UTF-8 text")
        }
        return text
    }

    /// The host port for this plan: the SSH connector, or under `"transport": "ssm"`/`"auto"` a router
    /// that sends SSM targets to Run Command (one batcher, so probes and installs share its batches).
    func hostConnector(parallelism: Int) -> any HostConnector {
        guard let section = plan.instances, section.transport != .ssh else { return connector }
        let batcher = SSMCommandBatcher(api: cloud.ssm, settings: section.ssm, parallelism: parallelism)
        return TransportRouter(ssh: connector, ssm: SSMHostConnector(batcher: batcher))
    }

    /// An observer over this context's adapters (`hosts`: the host port, `hostConnector` by default).
    func observer(parallelism: Int, progress: ProgressLine?, hosts: (any HostConnector)? = nil) -> Observer {
        let environment = ProcessInfo.processInfo.environment
        return Observer(cloud: cloud, connector: hosts ?? hostConnector(parallelism: parallelism), fetcher: HTTPResourceFetcher(), parallelism: parallelism,
                        operatorAddressURL: environment["EICSETUP_CHECKIP_URL"] ?? "https://checkip.amazonaws.com/",
                        onHostProbed: { done, total in progress?.update("probing hosts: \(done)/\(total)") })
    }
}

/// Sends each target to its transport's connector.
struct TransportRouter: HostConnector {
    let ssh: any HostConnector
    let ssm: any HostConnector

    func open(_ target: HostTarget) async throws -> any RemoteHost {
        switch target.transport {
        case .ssh: return try await ssh.open(target)
        case .ssm: return try await ssm.open(target)
        }
    }
}

/// Checks of local files named in a plan.
enum LocalChecks {
    /// nil when `path` is a private key file OpenSSH would use; else the problem and the fix.
    static func identityFile(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return "\(path) does not exist" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "\(path) is not a regular file" }
        guard access(path, R_OK) == 0 else { return "\(path) cannot be read" }
        if info.st_mode & 0o077 != 0 {
            return "\(path) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); OpenSSH refuses such keys: chmod 600 \(path)"
        }
        return nil
    }
}

/// Path helpers for values people write with ~.
enum Paths {
    static func expandTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return NSHomeDirectory() + path.dropFirst()
    }
}

/// A one-line progress display on a terminal's stderr (nothing when stderr is not a terminal).
final class ProgressLine: Sendable {
    private let enabled: Bool

    init() {
        enabled = isatty(STDERR_FILENO) == 1
    }

    func update(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
