import Synchronization
@testable import EICCore

/// A one-shot latch: `wait()` suspends until `open()` (deterministic stand-in for "a command hangs").
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// The state of one fake machine: what the probe reports and what the package commands change.
struct FakeHostState: Sendable {
    enum Family: Sendable, Equatable {
        case amazonLinux2
        /// VERSION_ID, e.g. "20.04".
        case ubuntu(String)
        case other(id: String, version: String)
    }

    enum Access: Sendable, Equatable {
        /// The login user is root.
        case root
        /// Passwordless `sudo -n`.
        case sudo
        /// `sudo -n` says a password is required.
        case sudoWantsPassword
    }

    var family: Family
    var access: Access = .sudo
    /// The installed ec2-instance-connect version, nil when not installed.
    var packageVersion: String?
    /// True when sshd runs EIC's AuthorizedKeysCommand (AL2: sshd_config lines; Ubuntu: systemd drop-in).
    var eicConfigured = false
    /// A foreign AuthorizedKeysCommand in sshd_config itself.
    var foreignInSSHDConfig: String?
    /// A foreign AuthorizedKeysCommand in a file sshd_config Includes.
    var foreignInInclude: String?
    /// What `yum/apt-get install|upgrade` installs.
    var repositoryVersion: String
    /// The package manager exits non-zero on install/upgrade.
    var installFails = false

    static let eicAL2 = "/opt/aws/bin/eic_run_authorized_keys %u %f"
    static let eicUbuntu = "/usr/share/ec2-instance-connect/eic_run_authorized_keys %u %f"
    static let foreign = "/usr/bin/sss_ssh_authorizedkeys %u"

    var isUbuntu: Bool { if case .ubuntu = family { return true }; return false }

    /// The probe's answer for this state, in HostProbe's format (the fixture builder of the analyzer tests).
    func probeOutput() -> String {
        let osRelease: String, tools: String
        switch family {
        case .amazonLinux2:
            osRelease = "NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2\"\nPRETTY_NAME=\"Amazon Linux 2\"\n"
            tools = "yum rpm sudo"
        case .ubuntu(let version):
            osRelease = "NAME=\"Ubuntu\"\nVERSION_ID=\"\(version)\"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu \(version) LTS\"\n"
            tools = "apt-get dpkg-query sudo"
        case .other(let id, let version):
            osRelease = "ID=\(id)\nVERSION_ID=\"\(version)\"\n"
            tools = "zypper rpm sudo"
        }
        let tool = isUbuntu ? "dpkg" : "rpm"
        let package = packageVersion.map { "\(tool) ii \($0)" } ?? "\(tool) un"

        var main = "PasswordAuthentication no\n"
        var configs: [(String, String)] = []
        var effective: String?
        if let included = foreignInInclude {
            main = "Include /etc/ssh/sshd_config.d/*.conf\n" + main
            effective = included
        }
        if let foreign = foreignInSSHDConfig {
            main += "AuthorizedKeysCommand \(foreign)\nAuthorizedKeysCommandUser nobody\n"
            effective = effective ?? foreign
        }
        var units: [(String, String)] = []
        if eicConfigured {
            if isUbuntu {
                units.append(("/usr/lib/systemd/system/ssh.service.d/ec2-instance-connect.conf", """
                    [Service]
                    ExecStart=
                    ExecStart=/usr/sbin/sshd -D -o "AuthorizedKeysCommand /usr/share/ec2-instance-connect/eic_run_authorized_keys %%u %%f" -o "AuthorizedKeysCommandUser ec2-instance-connect" $SSHD_OPTS

                    """))
            } else {
                main += "AuthorizedKeysCommand \(Self.eicAL2)\nAuthorizedKeysCommandUser ec2-instance-connect\n"
                effective = effective ?? Self.eicAL2
            }
        }
        if isUbuntu { units.append(("/lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n")) }
        configs.append(("/etc/ssh/sshd_config", main))
        if let included = foreignInInclude {
            configs.append(("/etc/ssh/sshd_config.d/50-ldap.conf", "AuthorizedKeysCommand \(included)\nAuthorizedKeysCommandUser nobody\n"))
        }
        let sshdT: (String, Int, String)
        switch access {
        case .sudoWantsPassword: sshdT = ("sudo", 1, "sudo: a password is required\n")
        case .root, .sudo:
            let user = effective == nil ? "none" : (effective == Self.eicAL2 ? "ec2-instance-connect" : "nobody")
            sshdT = (access == .root ? "root" : "sudo", 0,
                     "port 22\nauthorizedkeyscommand \(effective ?? "none")\nauthorizedkeyscommanduser \(user)\n")
        }
        return HostProbeFixture.output(osRelease: osRelease, tools: tools, package: package, sshdT: sshdT, units: units, configs: configs)
    }
}

/// One fake machine: its state survives sessions (a second run sees what the first installed), and it
/// records every command any session ran on it.
final class FakeMachine: Sendable {
    /// How a command was recognised.
    enum CommandKind: String, Sendable { case probe, refresh, install, upgrade, unknown }

    /// Where `hang` applies.
    enum HangPoint: Sendable { case probe, packageCommand }

    let name: String
    private let state: Mutex<FakeHostState>
    private let log = Mutex<[String]>([])
    private let hang = Mutex<(point: HangPoint, gate: Gate, entered: Gate)?>(nil)

    init(_ name: String, _ state: FakeHostState) {
        self.name = name
        self.state = Mutex(state)
    }

    var current: FakeHostState { state.withLock { $0 } }
    func update(_ change: (inout FakeHostState) -> Void) { state.withLock { change(&$0) } }

    /// Every command text run on this machine, in order.
    var commands: [String] { log.withLock { $0 } }
    /// The kinds of the commands run, in order.
    var commandKinds: [CommandKind] { commands.map { Self.kind(of: $0).kind } }
    /// Commands other than the read-only probe.
    var packageCommands: [String] { commands.filter { Self.kind(of: $0).kind != .probe } }

    /// The next command at `point` waits for `gate`; `entered` opens when it starts waiting.
    func hang(at point: HangPoint, until gate: Gate) -> Gate {
        let entered = Gate()
        hang.withLock { $0 = (point, gate, entered) }
        return entered
    }

    /// Every command `HostCommands` can produce, by text.
    static let known: [String: (kind: CommandKind, sudo: Bool)] = {
        var table: [String: (kind: CommandKind, sudo: Bool)] = [:]
        for manager in PackageManager.allCases {
            for sudo in [true, false] {
                for step in [HostStep.install(manager), .upgrade(manager)] + PublishedRPM.allCases.map({ .installPublished(manager, $0) }) {
                    let commands = HostCommands.commands(for: step, useSudo: sudo)
                    guard let last = commands.last else { continue }  // no published RPMs for apt
                    for command in commands.dropLast() { table[command.text] = (.refresh, sudo) }
                    if case .upgrade = step { table[last.text] = (.upgrade, sudo) } else { table[last.text] = (.install, sudo) }
                }
            }
        }
        table[HostProbe.command.text] = (.probe, false)
        return table
    }()

    static func kind(of text: String) -> (kind: CommandKind, sudo: Bool) { known[text] ?? (.unknown, false) }

    func run(_ command: RemoteCommand) async throws -> CommandResult {
        log.withLock { $0.append(command.text) }
        let (kind, sudo) = Self.kind(of: command.text)
        let point: HangPoint = kind == .probe ? .probe : .packageCommand
        if let waiting = hang.withLock({ hang -> (Gate, Gate)? in
            guard let current = hang, current.point == point else { return nil }
            hang = nil
            return (current.gate, current.entered)
        }) {
            waiting.1.open()
            await waiting.0.wait()
        }
        return state.withLock { state in Self.execute(kind, sudo: sudo, &state) }
    }

    private static func execute(_ kind: CommandKind, sudo: Bool, _ state: inout FakeHostState) -> CommandResult {
        func result(_ status: Int32, stdout: String = "", stderr: String = "") -> CommandResult {
            CommandResult(stdout: Array(stdout.utf8), stderr: Array(stderr.utf8), exitStatus: status)
        }
        if kind == .probe { return result(0, stdout: state.probeOutput()) }
        if kind == .unknown { return result(127, stderr: "sh: command not found\n") }
        if sudo, state.access == .sudoWantsPassword { return result(1, stderr: "sudo: a password is required\n") }
        if !sudo, state.access != .root { return result(100, stderr: "E: Could not open lock file - open (13: Permission denied)\n") }
        switch kind {
        case .refresh: return result(0, stdout: "Reading package lists... Done\n")
        case .install, .upgrade:
            if state.installFails {
                return result(1, stderr: "Error: Cannot retrieve repository metadata\nE: Unable to locate package ec2-instance-connect\n")
            }
            if kind == .upgrade, state.packageVersion == nil { return result(1, stderr: "Package ec2-instance-connect not installed\n") }
            state.packageVersion = state.repositoryVersion
            // Like the real packages: AL2 appends its two lines unless sshd_config already has a command;
            // Ubuntu writes its drop-in unless sshd -T shows one (it misses an Included command).
            if state.foreignInSSHDConfig == nil && (state.isUbuntu || state.foreignInInclude == nil) { state.eicConfigured = true }
            return result(0, stdout: "Complete!\n")
        default: return result(127)
        }
    }
}

/// A session on a `FakeMachine`; calls after `close()` fail like a closed SSH channel.
final class FakeSession: RemoteHost {
    let machine: FakeMachine
    let displayName: String
    private let closed = Mutex(false)
    private let onClose: @Sendable () -> Void

    init(_ machine: FakeMachine, _ target: HostTarget, onClose: @escaping @Sendable () -> Void = {}) {
        self.machine = machine
        displayName = target.displayName
        self.onClose = onClose
    }

    var isClosed: Bool { closed.withLock { $0 } }

    func run(_ command: RemoteCommand, stdin: [UInt8]) async throws -> CommandResult {
        guard !isClosed else { throw HostConnectError(kind: .session, message: "the session to \(displayName) is closed") }
        return try await machine.run(command)
    }

    func close() async {
        let wasOpen = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        if wasOpen { onClose() }
    }

    /// The session dies on its own (an idle timeout): later calls fail, as after `close()`.
    func drop() async { await close() }
}

/// Opens fake sessions by address, or fails the way the SSH adapter would.
final class FakeConnector: HostConnector {
    enum Endpoint: Sendable {
        case machine(FakeMachine, loginUser: String)
        /// Every open fails with this error (unreachable, timeout, changed host key…).
        case failing(HostConnectError)
    }

    private let endpoints = Mutex<[String: Endpoint]>([:])
    private let opened = Mutex<[HostTarget]>([])
    private let live = LiveSessions()

    init() {}

    func add(_ address: String, _ endpoint: Endpoint) { endpoints.withLock { $0[address] = endpoint } }
    /// Every open attempt, in order.
    var opens: [HostTarget] { opened.withLock { $0 } }
    /// Sessions open now, and the most that were open at once.
    var openSessions: Int { live.state.withLock { $0.open } }
    var peakOpenSessions: Int { live.state.withLock { $0.peak } }
    /// Every session handed out, in order.
    var sessions: [FakeSession] { live.state.withLock { $0.sessions } }

    func open(_ target: HostTarget) async throws -> any RemoteHost {
        opened.withLock { $0.append(target) }
        switch endpoints.withLock({ $0[target.address] }) {
        case nil:
            throw HostConnectError(kind: .unreachable, message: "connect to \(target.address) port \(target.port): Connection refused")
        case .failing(let error)?:
            throw error
        case .machine(let machine, let user)?:
            guard user == target.user else {
                throw HostConnectError(kind: .authentication, message: "\(target.user)@\(target.address): Permission denied (publickey)")
            }
            let session = FakeSession(machine, target) { [live] in live.state.withLock { $0.open -= 1 } }
            live.state.withLock { live in
                live.open += 1
                live.peak = max(live.peak, live.open)
                live.sessions.append(session)
            }
            return session
        }
    }

    static let hostKeyChangedMessage = """
        @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
        @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
        @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
        IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
        Offending ED25519 key in /root/.ssh/known_hosts:7
        Host key verification failed.
        """
}

/// The fake connector's open sessions: how many now, the most at once, and all it handed out.
final class LiveSessions: Sendable {
    let state = Mutex<(open: Int, peak: Int, sessions: [FakeSession])>((0, 0, []))
}
