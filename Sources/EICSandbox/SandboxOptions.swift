import Foundation

/// What `sandbox up` should build.
public struct SandboxOptions: Sendable {
    public var stateDirectory: String
    /// Personality names, one per instance (rows of sandbox/personalities.tsv; `PersonalityTable.plan`).
    public var personalities: [String]
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

    public init(stateDirectory: String = SandboxLayout.defaultStateDirectory, personalities: [String],
                faults: String? = nil, port: Int? = nil) {
        self.stateDirectory = stateDirectory
        self.personalities = personalities
        self.faults = faults
        self.port = port
    }

    /// Valid values, shared with the command line's parse-time checks.
    public static let portRange = 1...65535
    public static let subnetRange = 1...254
    public static let parallelismRange = 1...64
    /// How many instances one sandbox may have (--instances, and the sum of --personalities).
    public static let instanceRange = 1...4000

    /// Checks every value before anything starts, so a bad one never leaves files or processes behind.
    public func validate() throws(SandboxError) {
        if let port, !Self.portRange.contains(port) {
            throw .badOption("--port must be between 1 and 65535 (got \(port))")
        }
        guard Self.subnetRange.contains(firstSubnet) else {
            throw .badOption("--subnet must be between 1 and 254 (got \(firstSubnet))")
        }
        let lastSubnet = firstSubnet + (max(personalities.count, 1) - 1) / SandboxAddressing.perSubnet
        guard lastSubnet <= 254 else {
            throw .badOption("the fleet's addresses must stay within 127.0.1.0 – 127.0.254.255; lower --subnet or --instances")
        }
        guard !personalities.isEmpty else { throw .badOption("the sandbox needs at least one instance") }
        guard Self.parallelismRange.contains(parallelism) else { throw .badOption("parallelism must be between 1 and 64") }
        if let faults { _ = try FaultSpec(faults) }
        try Self.validateSeed(ProcessInfo.processInfo.environment)
    }

    /// EICSETUP_SANDBOX_SEED seeds awsd's fault RNG (Python int()) and the instances' draws (cksum text).
    public static let seedRange: ClosedRange<UInt64> = 0...UInt64(UInt32.max)

    static func validateSeed(_ environment: [String: String]) throws(SandboxError) {
        guard let text = environment["EICSETUP_SANDBOX_SEED"] else { return }
        guard let seed = UInt64(text), seedRange.contains(seed) else {
            throw .badOption("EICSETUP_SANDBOX_SEED must be a whole number from 0 to \(seedRange.upperBound) (got '\(text)')")
        }
    }
}

/// `--faults` parsed and range-checked in Swift, by the same rules awsd.py applies, so a bad spec is
/// refused before awsd (or anything else) starts.
public struct FaultSpec: Sendable, Equatable {
    /// Shares of requests (0…1).
    public static let probabilities: Set<String> = ["throttle", "error5xx", "ssh-drop", "ssm-throttle", "ssm-fail"]
    /// Delays in seconds (0…3600: beyond an hour nothing useful is tested, and awsd would just hang).
    public static let delays: Set<String> = ["iam-delay", "slow-install"]
    public static let maximumDelay = 3600.0

    public let values: [String: Double]

    public init(_ spec: String) throws(SandboxError) {
        let known = Self.probabilities.union(Self.delays).sorted().joined(separator: ", ")
        var values: [String: Double] = [:]
        for rawItem in spec.split(separator: ",") {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, Self.probabilities.contains(name) || Self.delays.contains(name) else {
                throw .badOption("--faults: bad fault '\(item)' (known: \(known), as name=value)")
            }
            let text = parts[1].trimmingCharacters(in: .whitespaces)
            // Plain decimal only: Swift would read "0x10" as 16, which awsd's float() refuses.
            guard text.allSatisfy({ "0123456789.eE+-".contains($0) }), let number = Double(text), number.isFinite else {
                throw .badOption("--faults: \(name) needs a number, got '\(text)'")
            }
            if Self.probabilities.contains(name), !(0...1).contains(number) {
                throw .badOption("--faults: \(name) is a probability between 0 and 1, got \(text)")
            }
            if Self.delays.contains(name), !(0...Self.maximumDelay).contains(number) {
                throw .badOption("--faults: \(name) is seconds between 0 and 3600, got \(text)")
            }
            values[name] = number
        }
        self.values = values
    }
}
