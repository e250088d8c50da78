/// What `sandbox up` should build.
public struct SandboxOptions: Sendable {
    public var stateDirectory: String
    public var personalities: [Personality]
    /// awsd's `--faults` spec, e.g. `throttle=0.2,iam-delay=5`.
    public var faults: String?
    /// Loopback port for the local AWS; a free one when nil.
    public var port: Int?
    public var region = "us-east-1"
    /// Third octet of the first /24 the fleet uses (127.0.N.0/24 …), so separate sandboxes (e.g. tests
    /// running side by side) never share an address.
    public var firstSubnet = 1
    /// How many instances are prepared and started at once.
    public var parallelism = 8

    public init(stateDirectory: String = SandboxLayout.defaultStateDirectory, personalities: [Personality],
                faults: String? = nil, port: Int? = nil) {
        self.stateDirectory = stateDirectory
        self.personalities = personalities
        self.faults = faults
        self.port = port
    }
}
