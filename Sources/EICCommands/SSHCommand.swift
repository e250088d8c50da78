import ArgumentParser
import EICAWS
import EICCore
import EICCrypto
import EICSSH
import Foundation

/// `eicsetup ssh`: Log in to an instance with EC2 Instance Connect (like mssh).
struct SSHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "Log in to an instance with EC2 Instance Connect (like mssh).",
        discussion: """
        Looks the instance up (DescribeInstances), generates an ephemeral ed25519 key in memory, pushes its \
        public half with SendSSHPublicKey (valid 60 seconds) and connects with only that key: to the public \
        IP, else the private one (--public-ip/--private-ip/--address choose). The private key never touches \
        disk unless you ask with --keep-key.

        The user is USER@, else the AMI's default: ubuntu on Ubuntu, ec2-user on Amazon Linux (from \
        DescribeImages; when the image does not say, ec2-user then ubuntu are tried). With --address and \
        USER@ no EC2 call is made, so only ec2-instance-connect:SendSSHPublicKey is needed.

        Host keys are checked like OpenSSH: strict by default against --known-hosts, accept-new on request, \
        a changed key always refused.

        With a command after --, runs it (each word quoted, as given) with stdout and stderr passed \
        through and exits with its exit status. Without one, opens an interactive shell with a \
        pseudo-terminal of your terminal's size (followed when you resize), in raw mode until it ends. \
        Errors of eicsetup itself exit 255, like ssh.

        Examples:
          eicsetup ssh i-0123456789abcdef0
          eicsetup ssh ec2-user@i-0123456789abcdef0 -- uptime
          eicsetup ssh ubuntu@i-0123456789abcdef0 --private-ip -- df -h /
          eicsetup ssh --host-keys accept-new ec2-user@i-0123456789abcdef0
          eicsetup ssh --address 203.0.113.10 ec2-user@i-0123456789abcdef0
          eicsetup ssh --profile eic-user -v i-0123456789abcdef0 -- id
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "[USER@]INSTANCE-ID") var target: String
    @Flag(name: .customLong("private-ip"), help: "Connect to the private IP even if a public one exists.") var privateIP = false
    @Flag(name: .customLong("public-ip"), help: "Connect to the public IP; fail if the instance has none.") var publicIP = false
    @Option(help: "Connect to this address instead of the instance's IP.") var address: String?
    @Option(help: "SSH port.") var port: Int = 22
    @Option(name: .customLong("known-hosts"), help: "OpenSSH known_hosts file.")
    var knownHosts: String = "~/.ssh/known_hosts"
    @Option(name: .customLong("host-keys"), help: "Unknown host keys: strict (refuse) or accept-new (record).")
    var hostKeys: String = HostKeyPolicy.strict.rawValue
    @Option(name: .customLong("timeout"), help: "Seconds allowed for connecting.")
    var timeout: Int = 30
    @Option(name: .customLong("keep-key"), help: "Also write the ephemeral private key to this new file (mode 0600).")
    var keepKey: String?
    @Flag(name: [.customShort("t"), .customLong("tty")], help: "Allocate a pseudo-terminal for the command too.")
    var tty = false
    @Argument(parsing: .postTerminator, help: "Command to run instead of a shell.") var command: [String] = []

    /// Errors of eicsetup itself, as distinct from the remote command's status (OpenSSH uses 255 too).
    static let failureStatus: Int32 = 255

    func validate() throws {
        guard parsedTarget != nil else {
            throw ValidationError("'\(target)' is not [USER@]INSTANCE-ID (e.g. ec2-user@i-0123456789abcdef0).")
        }
        guard [privateIP, publicIP, address != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("Choose at most one of --private-ip, --public-ip and --address.")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535.") }
        guard HostKeyPolicy(rawValue: hostKeys) != nil else {
            throw ValidationError("--host-keys must be 'strict' or 'accept-new'.")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive.") }
        if let address, address.isEmpty || address.contains(where: \.isWhitespace) {
            throw ValidationError("--address must be an address or host name.")
        }
    }

    /// (user, instance id) from `[USER@]INSTANCE-ID`; the user may itself contain `@`.
    var parsedTarget: (user: String?, instanceId: String)? {
        let user: String?, id: String
        if let at = target.lastIndex(of: "@") {
            user = String(target[..<at])
            id = String(target[target.index(after: at)...])
        } else {
            user = nil
            id = target
        }
        guard TextShape.isResourceId(id, prefix: "i-") else { return nil }
        if let user, !TextShape.isOSUserName(user) { return nil }
        return (user, id)
    }

    func run() async throws {
        // Output to a closed pipe is dropped instead of killing us mid-session.
        signal(SIGPIPE, SIG_IGN)
        let status: Int32
        do {
            status = try await session()
        } catch let error as CommandError {
            Self.report("\(error)")
            throw ExitCode(Self.failureStatus)
        } catch let error as AWSError {
            Self.report("\(error)")
            throw ExitCode(Self.failureStatus)
        } catch let error as SSHError {
            Self.report("\(error)")
            throw ExitCode(Self.failureStatus)
        }
        if status != 0 { throw ExitCode(status) }
    }

    private func session() async throws -> Int32 {
        guard let parsed = parsedTarget else { throw CommandError.usage("bad target \(target)") }
        let givenUser = parsed.user, instanceId = parsed.instanceId
        let configuration = try global.awsConfiguration()
        let client = configuration.client()
        let placement = try await locate(instanceId, givenUser: givenUser, ec2: EC2Client(client: client),
                                         region: configuration.region)
        let login = InstanceConnectLogin(
            instanceConnect: InstanceConnectClient(client: client), knownHostsPath: Paths.expandTilde(knownHosts),
            hostKeyPolicy: HostKeyPolicy(rawValue: hostKeys) ?? .strict, connectTimeoutMilliseconds: timeout * 1000)
        var target = InstanceConnectLogin.Target(instanceId: instanceId, osUser: placement.users[0], address: placement.address,
                                                 port: port, availabilityZone: placement.availabilityZone)
        let key = try InstanceConnectLogin.generateKey(for: target)
        if let keepKey { try Self.write(key, to: Paths.expandTilde(keepKey)) }
        verbose("ephemeral key \(SSHFingerprint.sha256(ofPublicKeyBlob: key.publicKeyBlob)) (ed25519, in memory)")

        var connection: SSHConnection?
        for (index, user) in placement.users.enumerated() {
            target.osUser = user
            let isLast = index + 1 == placement.users.count
            do {
                let pushed = try await login.push(key, to: target)
                verbose("pushed the key for \(user) on \(instanceId) (request id \(pushed.requestId)); "
                        + "connecting to \(target.address):\(port)")
                connection = try await login.connect(target, key: key)
                break
            } catch {
                guard !isLast, case .login(let failure) = error, failure.isKeyRefused || failure.isAccessDenied else { throw error }
                verbose("\(user) did not work (\(failure.isKeyRefused ? "key refused" : "not allowed")); "
                        + "trying \(placement.users[index + 1])")
            }
        }
        guard let connection else { throw CommandError.usage("no login user to try") }
        if connection.hostKeyAdded {
            Self.report("Warning: Permanently added '\(KnownHosts.hostToken(host: target.address, port: port))' to the list of "
                        + "known hosts (\(login.knownHostsPath)).", prefix: false)
        }
        let outcome = try await stream(on: connection)
        await connection.close()
        // Like OpenSSH: when our output's reader is gone (`… | head`), stop and exit 255.
        if outcome.outputClosed { return Self.failureStatus }
        if let signal = outcome.exitSignal {
            Self.report("the remote command was killed by signal \(signal)")
            return Self.failureStatus
        }
        return outcome.exitStatus ?? Self.failureStatus
    }

    /// The address, candidate users and zone of `instanceId`. Skips EC2 entirely when both the address
    /// and the user are given.
    private func locate(_ instanceId: String, givenUser: String?, ec2: EC2Client, region: String) async throws
        -> (address: String, users: [String], availabilityZone: String?) {
        if let address, let givenUser { return (address, [givenUser], nil) }
        guard let instance = try await ec2.describeInstances(ids: [instanceId]).first(where: { $0.instanceId == instanceId }) else {
            throw CommandError.usage("no instance \(instanceId) in \(region); check the id, --region and --profile.")
        }
        guard instance.state == "running" else {
            throw CommandError.usage("\(instanceId) is \(instance.state), not running; start it first.")
        }
        let chosen: String?
        if let address {
            chosen = address
        } else if privateIP {
            chosen = instance.privateIpAddress
        } else if publicIP {
            guard let ip = instance.publicIpAddress else {
                throw CommandError.usage("\(instanceId) has no public IP; use --private-ip (e.g. over a VPN) or --address.")
            }
            chosen = ip
        } else {
            chosen = instance.publicIpAddress ?? instance.privateIpAddress
        }
        guard let chosen else { throw CommandError.usage("\(instanceId) has no IP address; use --address.") }
        let users: [String]
        if let givenUser {
            users = [givenUser]
        } else {
            // DescribeImages is a nicety: without permission for it, fall back to trying the usual users.
            let image = try? await ec2.describeImages(ids: [instance.imageId]).first
            users = DefaultLoginUser.candidates(image: image, platformDetails: instance.platformDetails)
        }
        verbose("\(instanceId): \(instance.state) in \(instance.availabilityZone ?? "?"), "
                + "address \(chosen), user \(users.joined(separator: " or "))")
        return (chosen, users, instance.availabilityZone)
    }

    /// Runs the command or the shell, with a pseudo-terminal when stdin is a terminal and one is wanted.
    private func stream(on connection: SSHConnection) async throws -> SSHStreamOutcome {
        let remote = command.isEmpty ? nil : RemoteCommand(arguments: command)
        let wantsTerminal = command.isEmpty || tty
        let interactive = isatty(STDIN_FILENO) == 1
        if wantsTerminal && !interactive {
            Self.report("Pseudo-terminal will not be allocated because stdin is not a terminal.", prefix: false)
        }
        guard wantsTerminal, interactive else {
            return try await connection.stream(SSHStreamRequest(command: remote))
        }
        let size = LocalTerminal.size() ?? (columns: 80, rows: 24)
        let terminal = SSHTerminal(type: ProcessInfo.processInfo.environment["TERM"] ?? "xterm", columns: size.columns,
                                   rows: size.rows, currentSize: { LocalTerminal.size() })
        return try await LocalTerminal.withRawMode {
            try await connection.stream(SSHStreamRequest(command: remote, terminal: terminal))
        }
    }

    /// Writes the key for `--keep-key`: a new file only, mode 0600 from the start.
    static func write(_ key: Ed25519KeyPair, to path: String) throws {
        var pem = try key.openSSHPrivateKey()
        defer { SecureMemory.cleanse(&pem) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw CommandError.usage("--keep-key \(path): \(reason); give a path to a new file. Nothing was pushed.")
        }
        defer { close(fd) }
        let written = pem.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == pem.count else {
            throw CommandError.usage("--keep-key \(path): short write; nothing was pushed.")
        }
    }

    private func verbose(_ text: String) {
        if global.verbose { Self.report(text, prefix: false, tag: "eicsetup: ") }
    }

    private static func report(_ text: String, prefix: Bool = true, tag: String = "") {
        FileHandle.standardError.write(Data(((prefix ? "Error: " : tag) + text + "\n").utf8))
    }
}
