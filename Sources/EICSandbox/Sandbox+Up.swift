import EICAWS
import EICCore
import Foundation

/// The local AWS (moto behind sandbox/awsd.py) and fleet (one sshd per mount namespace), on loopback.
public enum Sandbox {
    static let adminPolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
    static let awsdMarker = "awsd.py"
    static let instanceMarker = "nsinit.sh"

    /// Builds and starts a sandbox. On any failure — and when the task is cancelled (SIGINT/SIGTERM in
    /// the command) — everything started so far is stopped and the state directory removed, exactly as
    /// `down` does; the error is then `.interrupted` for a cancellation.
    public static func up(_ options: SandboxOptions, layout: SandboxLayout,
                          progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(SandboxError) -> SandboxState {
        guard geteuid() == 0 else { throw .needsRoot }
        try options.validate()
        let table = try PersonalityTable.load(layout)
        var personalities: [Personality] = []
        for name in options.personalities { personalities.append(try table.personality(named: name)) }
        let directory = options.stateDirectory
        try await clearLeftovers(directory, layout: layout, progress: progress)
        if let port = options.port, Loopback.isListening(host: "127.0.0.1", port: port) {
            throw .badOption("127.0.0.1:\(port) is already in use; choose another --port or leave it out")
        }
        let started = Date()
        do {
            try FileManager.default.createDirectory(atPath: directory + "/instances", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .state("cannot create \(directory): \(error.localizedDescription)")
        }
        let addresses = SandboxAddressing(count: options.personalities.count, firstSubnet: options.firstSubnet)
        do throws(SandboxError) {
            try SandboxHost.claim(subnets: addresses.subnetOctets, addresses: addresses.all, for: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        let mountTargets = try? SandboxHost.mountTargetsLock(exclusive: false, wait: true)
        do throws(SandboxError) {
            try checkInterruption()
            try await Subprocess.check(layout.instanceScripts + "/hostprep.sh", [])
            try checkInterruption()
            let (awsdPid, port) = try await LocalAWS.start(layout: layout, stateDirectory: directory, port: options.port,
                                                           region: options.region, faults: options.faults)
            let endpoint = "http://127.0.0.1:\(port)"
            progress("local AWS (moto) listening on \(endpoint)")
            let fleetKey = directory + "/fleet_key"
            // A key left by an earlier run would make ssh-keygen ask "Overwrite (y/n)?".
            try? FileManager.default.removeItem(atPath: fleetKey)
            try? FileManager.default.removeItem(atPath: fleetKey + ".pub")
            try await Subprocess.check("/usr/bin/ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "",
                                                                "-C", "sandbox-fleet", "-f", fleetKey])
            try checkInterruption()
            var state = try await provisionAWS(options: options, personalities: personalities, endpoint: endpoint,
                                               directory: directory, awsdPid: awsdPid, fleetKey: fleetKey)
            try checkInterruption()
            progress("AWS side ready: \(state.instances.count) instances, users admin and eic-user")
            state.instances = try await startFleet(Array(zip(state.instances, personalities)), options: options, layout: layout,
                                                   endpoint: endpoint, fleetPublicKey: fleetKey + ".pub", progress: progress)
            try writeKnownHosts(state)
            try await enableAuthentication(endpoint)
            try checkInterruption()
            try state.save()
            mountTargets?.release()
            progress(String(format: "sandbox up in %.1f s (state in %@)", Date().timeIntervalSince(started), directory))
            return state
        } catch {
            mountTargets?.release()
            let interrupted = Task.isCancelled
            progress(interrupted ? "interrupted, stopping what was started" : "start failed, stopping what was started")
            // A fresh task: the rollback must not inherit the cancellation (its waits would return at once).
            await Task {
                _ = try? await down(stateDirectory: directory, layout: layout)
            }.value
            throw interrupted ? .interrupted : error
        }
    }

    /// Throws `.interrupted` once the surrounding task was cancelled.
    static func checkInterruption() throws(SandboxError) {
        if Task.isCancelled { throw .interrupted }
    }

    /// A state directory left by a crashed or interrupted run is cleaned away; one whose processes still
    /// run (a live sandbox, or an `up` still starting) is refused, never overwritten.
    static func clearLeftovers(_ directory: String, layout: SandboxLayout,
                               progress: @escaping @Sendable (String) -> Void) async throws(SandboxError) {
        guard FileManager.default.fileExists(atPath: directory) else { return }
        let processes = SandboxProcesses(stateDirectory: directory)
        if processes.anyRunning {
            if processes.state != nil { throw .alreadyUp(stateDirectory: directory) }
            throw .halfStarted(stateDirectory: directory)
        }
        progress("removing what an earlier, unfinished run left in \(directory)")
        try await down(stateDirectory: directory, layout: layout, progress: progress)
    }

    /// IAM users, network, AMIs and instances, created while moto's authentication is still off.
    static func provisionAWS(options: SandboxOptions, personalities: [Personality], endpoint: String, directory: String,
                             awsdPid: Int32, fleetKey: String) async throws(SandboxError) -> SandboxState {
        let bootstrap = AWSClient(
            region: options.region,
            endpoints: EndpointResolver(region: options.region, explicitURL: endpoint, environment: [:], profileEndpointURL: nil),
            credentials: CredentialChain(providers: [StaticCredentialProvider(
                AWSCredentials(accessKeyId: "AKIASANDBOXSETUP0000", secretAccessKey: "setup"))], describeOrder: "setup"),
            maxAttempts: 3, transport: SocketHTTPTransport())
        do {
            let iam = IAMProvisioning(client: bootstrap)
            let admin = try await iam.createUserWithKey(name: "admin", inlinePolicy: adminPolicy)
            let eicUser = try await iam.createUserWithKey(name: "eic-user")
            let ec2 = EC2Provisioning(client: bootstrap)
            let vpc = try await ec2.createVpc(cidr: "127.0.0.0/16")
            let group = try await ec2.createSecurityGroup(name: "sandbox-fleet", description: "sandbox fleet", vpcId: vpc)
            let publicKey = (try? String(contentsOfFile: fleetKey + ".pub", encoding: .utf8)) ?? ""
            try await ec2.importKeyPair(name: "sandbox-fleet", publicKey: publicKey)
            var images: [String: String] = [:]
            for image in Set(personalities.map(\.image)).sorted(by: { $0.name < $1.name }) {
                images[image.name] = try await ec2.registerImage(name: image.amiName, description: image.amiDescription)
            }
            let addresses = SandboxAddressing(count: personalities.count, firstSubnet: options.firstSubnet)
            var subnets: [Int: String] = [:]
            for third in addresses.subnetOctets {
                subnets[third] = try await ec2.createSubnet(vpcId: vpc, cidr: "127.0.\(third).0/24",
                                                            availabilityZone: "\(options.region)a")
            }
            var instances: [SandboxState.Instance] = []
            for (index, personality) in personalities.enumerated() {
                let (third, fourth) = addresses.address(index)
                let ip = "127.0.\(third).\(fourth)"
                let id = try await ec2.runInstance(
                    imageId: images[personality.image.name] ?? "", subnetId: subnets[third] ?? "", privateIp: ip,
                    securityGroupIds: [group], keyName: "sandbox-fleet",
                    tags: [Tag(key: "Name", value: "sandbox-\(index + 1)-\(personality.name)"),
                           Tag(key: "Fleet", value: "sandbox"), Tag(key: "Personality", value: personality.name)])
                instances.append(SandboxState.Instance(
                    instanceId: id, ipAddress: ip, personality: personality.name, loginUser: personality.image.loginUser,
                    rootDirectory: directory + "/instances/" + id, pid: 0))
            }
            let account = try await STSClient(client: bootstrap).getCallerIdentity().account
            return SandboxState(
                stateDirectory: directory, endpoint: endpoint, region: options.region, accountId: account, awsdPid: awsdPid,
                admin: .init(accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey),
                eicUser: .init(accessKeyId: eicUser.accessKeyId, secretAccessKey: eicUser.secretAccessKey),
                fleetKeyPath: fleetKey, knownHostsPath: directory + "/known_hosts", securityGroupId: group, vpcId: vpc,
                faults: options.faults, createdAt: Date(), instances: instances)
        } catch {
            throw .notReady("provisioning the local AWS failed: \(error)")
        }
    }

    static func enableAuthentication(_ endpoint: String) async throws(SandboxError) {
        guard let url = URL(string: endpoint + "/_sandbox/auth-on") else { throw .state("bad endpoint \(endpoint)") }
        let answer: HTTPResponse
        do {
            answer = try await SocketHTTPTransport().send(HTTPRequest(method: "POST", url: url))
        } catch {
            throw .notReady("could not switch request authentication on: \(error)")
        }
        guard answer.status == 200 else { throw .notReady("awsd refused to switch authentication on (HTTP \(answer.status))") }
    }
}

/// Loopback addresses for the fleet: 240 per /24 (127.0.1.10 … 127.0.1.249, then 127.0.2.10 …).
struct SandboxAddressing {
    static let perSubnet = 240
    let count: Int
    let firstSubnet: Int

    var subnetOctets: [Int] {
        Array(firstSubnet..<(firstSubnet + max(1, (count + Self.perSubnet - 1) / Self.perSubnet)))
    }

    func address(_ index: Int) -> (third: Int, fourth: Int) {
        (firstSubnet + index / Self.perSubnet, 10 + index % Self.perSubnet)
    }

    /// Every instance address, in order.
    var all: [String] {
        (0..<count).map { index in
            let (third, fourth) = address(index)
            return "127.0.\(third).\(fourth)"
        }
    }
}
