import EICAWS
import EICCore
import EICSandbox
import Foundation

/// A real moto server (sandbox/awsd.py) on a free loopback port with request authentication ON,
/// plus an admin IAM user whose access key the tests sign with. One per test process; stopped at exit.
public final class MotoPeer: Sendable {
    public let endpoint: String
    public let region = "us-east-1"
    public let admin: AWSCredentials
    public let stateDirectory: String
    let processID: Int32

    /// The shared peer, started on first use.
    public static func shared() async throws -> MotoPeer {
        try await Starter.shared.peer()
    }

    init(endpoint: String, admin: AWSCredentials, stateDirectory: String, processID: Int32) {
        self.endpoint = endpoint
        self.admin = admin
        self.stateDirectory = stateDirectory
        self.processID = processID
    }

    /// A client signed with `credentials` (the admin's by default) against this peer, with instant retries.
    public func client(credentials: AWSCredentials? = nil, maxAttempts: Int = 3,
                       metrics: AWSCallMetrics = AWSCallMetrics()) -> AWSClient {
        AWSClient(region: region,
                  endpoints: EndpointResolver(region: region, explicitURL: endpoint, environment: [:], profileEndpointURL: nil),
                  credentials: CredentialChain(providers: [StaticCredentialProvider(credentials ?? admin)], describeOrder: "test"),
                  maxAttempts: maxAttempts, transport: SocketHTTPTransport(), metrics: metrics,
                  sleep: { _ in })
    }

    /// An environment for running the `eicsetup` binary against this peer, free of the caller's AWS settings.
    public func environment(extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["AWS_CONFIG_FILE"] = stateDirectory + "/no-config"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = stateDirectory + "/no-credentials"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    private actor Starter {
        static let shared = Starter()
        private var started: Task<MotoPeer, Error>?

        func peer() async throws -> MotoPeer {
            if let started { return try await started.value }
            let task = Task { try await MotoPeer.launch() }
            started = task
            return try await task.value
        }
    }

    /// Starts a separate peer (e.g. with `--faults`), stopped when the test process exits.
    public static func launch(faults: String? = nil) async throws -> MotoPeer {
        let python = RepositoryPaths.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw PeerError("no \(python): run scripts/setup.sh first (it creates the virtualenv with moto[server])")
        }
        let stateDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("eicsetup-moto-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        // Importing moto takes seconds of CPU; with the whole suite starting at once on 2 cores it can take
        // much longer. This is a budget for a loaded machine, not a measurement.
        let (pid, port) = try await LocalAWS.start(
            layout: try SandboxFixture.layout(), stateDirectory: stateDirectory, port: nil, region: "us-east-1",
            faults: faults, extraArguments: ["--exit-with-parent", String(getpid())], timeout: 180)
        PeerReaper.register(pid, directory: stateDirectory)

        let endpoint = "http://127.0.0.1:\(port)"
        let bootstrap = AWSCredentials(accessKeyId: "AKIABOOTSTRAP0000000", secretAccessKey: "bootstrap")
        let provisioning = IAMProvisioning(client: AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", explicitURL: endpoint, environment: [:], profileEndpointURL: nil),
            credentials: CredentialChain(providers: [StaticCredentialProvider(bootstrap)], describeOrder: "bootstrap"),
            maxAttempts: 1, transport: SocketHTTPTransport()))
        let admin = try await provisioning.createUserWithKey(
            name: "admin", inlinePolicy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        guard let authOn = URL(string: endpoint + "/_sandbox/auth-on") else { throw PeerError("bad endpoint \(endpoint)") }
        let answer = try await SocketHTTPTransport().send(HTTPRequest(method: "POST", url: authOn))
        guard answer.status == 200 else { throw PeerError("awsd refused /_sandbox/auth-on: HTTP \(answer.status)") }
        return MotoPeer(endpoint: endpoint, admin: admin, stateDirectory: stateDirectory, processID: pid)
    }
}

/// A test-infrastructure failure (not a product error).
public struct PeerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
