import EICAWS
import EICCore
import EICSandbox
import Foundation

/// A whole sandbox (local AWS + fleet) for one test, on its own /24 and state directory, always stopped.
public struct SandboxFixture: Sendable {
    public let state: SandboxState

    /// Starts a sandbox with `personalities` on 127.0.`subnet`.x, runs `body`, and stops it again
    /// whether `body` succeeds or throws.
    public static func with<T: Sendable>(_ personalities: [String], subnet: Int, faults: String? = nil,
                                         _ body: (SandboxFixture) async throws -> T) async throws -> T {
        try await HeavyTests.oneAtATime {
            try await run(personalities, subnet: subnet, faults: faults, body)
        }
    }

    private static func run<T: Sendable>(_ personalities: [String], subnet: Int, faults: String?,
                                         _ body: (SandboxFixture) async throws -> T) async throws -> T {
        let layout = try layout()
        // A state directory of its own (subnet, test process, random), so a repeated test or another
        // process never shares instance roots with this sandbox. A sandbox a killed run left on this
        // subnet (its process gone) would hold the addresses: stop it first.
        let prefix = "eicsetup-test-sandbox-\(subnet)-"
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where leftover.hasPrefix(prefix) {
            let owner = leftover.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) }
            if let owner, owner == getpid() || kill(owner, 0) == 0 { continue }
            _ = try? await Sandbox.down(stateDirectory: "/tmp/" + leftover, layout: layout)
        }
        let directory = "/tmp/\(prefix)\(getpid())-\(UUID().uuidString.prefix(8))"
        var options = SandboxOptions(stateDirectory: directory, personalities: personalities, faults: faults)
        options.firstSubnet = subnet
        let state = try await Sandbox.up(options, layout: layout)
        do {
            let result = try await body(SandboxFixture(state: state))
            _ = try await Sandbox.down(stateDirectory: directory, layout: layout)
            return result
        } catch {
            _ = try? await Sandbox.down(stateDirectory: directory, layout: layout)
            throw error
        }
    }

    /// Every row of sandbox/personalities.tsv, once, in table order.
    public static func everyPersonality() throws -> [String] {
        try PersonalityTable.load(layout()).names
    }

    public static func layout() throws -> SandboxLayout {
        try SandboxLayout.locate(environment: ["EICSETUP_HOME": RepositoryPaths.root.path])
    }

    /// An AWS client for the admin or for eic-user.
    public func client(asEICUser: Bool = false) -> AWSClient {
        AWSClient(region: state.region,
                  endpoints: EndpointResolver(region: state.region, explicitURL: state.endpoint, environment: [:],
                                              profileEndpointURL: nil),
                  credentials: CredentialChain(providers: [StaticCredentialProvider(state.credentials(asEICUser: asEICUser))],
                                               describeOrder: "sandbox"),
                  maxAttempts: 3, transport: SocketHTTPTransport(), sleep: { _ in })
    }

    public func instance(_ personality: String, index: Int = 0) -> SandboxState.Instance? {
        state.instances.filter { $0.personality == personality }.dropFirst(index).first
    }
}

/// The real OpenSSH client, for checking what a user would see.
public enum OpenSSH {
    public typealias Result = Subprocess.Result

    /// `ssh -i KEY USER@HOST COMMAND` with strict host-key checking against `knownHosts`, no agent, no prompts.
    public static func run(user: String, host: String, key: String, knownHosts: String, command: String) async throws -> Result {
        try await exec(["/usr/bin/ssh", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                        "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts)",
                        "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "\(user)@\(host)", command])
    }

    /// A fresh ed25519 key pair; returns (private key path, public key text).
    public static func generateKey(in directory: String, name: String) async throws -> (String, String) {
        let path = directory + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + ".pub")
        let result = try await exec(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path])
        guard result.status == 0 else { throw PeerError("ssh-keygen failed: \(result.stderr)") }
        return (path, try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs any program (ssh-keygen, ssh-add…) with a clean signal mask, output captured.
    public static func exec(_ arguments: [String]) async throws -> Result {
        try await Subprocess.run(arguments[0], Array(arguments.dropFirst()))
    }
}

/// Tests that load the whole machine (a sandbox fleet, 50 SSH sessions at once) run one at a time: on
/// 2 cores, overlapping bursts made ordinary SSH commands of other tests wait for a minute.
public enum HeavyTests {
    public static func oneAtATime<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await SandboxSlots.shared.acquire()
        do {
            let result = try await body()
            await SandboxSlots.shared.release()
            return result
        } catch {
            await SandboxSlots.shared.release()
            throw error
        }
    }
}

/// A counting semaphore for heavy tests.
actor SandboxSlots {
    static let shared = SandboxSlots(count: 1)
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) {
        free = count
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
