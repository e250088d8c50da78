/// The kinds of instance the sandbox can run (design §6). Each maps to a distro base, which decides the
/// AMI name, the login user and which package tools the instance has.
public enum Personality: String, Sendable, Codable, CaseIterable {
    case al2Old = "al2-old"
    case al2Current = "al2-current"
    case ubuntu1604 = "ubuntu-16.04"
    case ubuntu1804 = "ubuntu-18.04"
    case ubuntu2004 = "ubuntu-20.04"
    case ubuntu2204 = "ubuntu-22.04"
    case al2Package1112 = "al2-pkg-1.1-12"
    case conflictSSHDConfig = "conflict-sshd-config"
    case conflictInclude = "conflict-include"
    case unreachable = "unreachable"
    case hostKeyChanged = "hostkey-changed"
    case sudoPassword = "sudo-password"

    /// The distro image the personality is built on (mirrors the table in sandbox/instance/mkroot.sh).
    public var base: Base {
        switch self {
        case .al2Old: return .al2Old
        case .al2Current, .al2Package1112, .conflictSSHDConfig, .hostKeyChanged: return .al2Current
        case .ubuntu1604: return .ubuntu1604
        case .ubuntu1804, .sudoPassword: return .ubuntu1804
        case .ubuntu2004, .unreachable: return .ubuntu2004
        case .ubuntu2204, .conflictInclude: return .ubuntu2204
        }
    }

    /// Whether its sshd is meant to answer.
    public var isReachable: Bool { self != .unreachable }

    public enum Base: String, Sendable, Codable, CaseIterable {
        case al2Old, al2Current, ubuntu1604, ubuntu1804, ubuntu2004, ubuntu2204

        /// AMI name and description as AWS publishes them for that release.
        public var image: (name: String, description: String) {
            switch self {
            case .al2Old:
                return ("amzn2-ami-hvm-2.0.20180810-x86_64-gp2", "Amazon Linux 2 AMI 2.0.20180810 x86_64 HVM gp2")
            case .al2Current:
                return ("amzn2-ami-kernel-5.10-hvm-2.0.20241001.0-x86_64-gp2",
                        "Amazon Linux 2 Kernel 5.10 AMI 2.0.20241001.0 x86_64 HVM gp2")
            case .ubuntu1604:
                return ("ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-20210928",
                        "Canonical, Ubuntu, 16.04 LTS, amd64 xenial image build on 2021-09-28")
            case .ubuntu1804:
                return ("ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-20230531",
                        "Canonical, Ubuntu, 18.04 LTS, amd64 bionic image build on 2023-05-31")
            case .ubuntu2004:
                return ("ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20241112",
                        "Canonical, Ubuntu, 20.04 LTS, amd64 focal image build on 2024-11-12")
            case .ubuntu2204:
                return ("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241109",
                        "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2024-11-09")
            }
        }

        public var loginUser: String {
            switch self {
            case .al2Old, .al2Current: return "ec2-user"
            default: return "ubuntu"
            }
        }
    }

    /// Named mixes for `--mix`. `default` is every personality once, in design order.
    public static let mixes: [String: [Personality]] = [
        "default": Personality.allCases,
        "installable": [.al2Old, .ubuntu1604, .ubuntu1804, .al2Package1112],
        "preconfigured": [.al2Current, .ubuntu2004, .ubuntu2204],
        "healthy": [.al2Old, .al2Current, .ubuntu1604, .ubuntu1804, .ubuntu2004, .ubuntu2204, .al2Package1112],
    ]

    /// How many instances one sandbox may have (--instances, and the sum of --personalities).
    public static let instanceRange = 1...4000

    /// The personalities for `count` instances: a named mix repeated in order, or explicit counts
    /// (`al2-old=3,ubuntu-20.04=2`).
    public static func plan(count: Int?, mix: String?, counts: String?) throws(SandboxError) -> [Personality] {
        if let counts {
            guard mix == nil else { throw .badOption("use either --mix or --personalities, not both") }
            var result: [Personality] = []
            for item in counts.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let personality = Personality(rawValue: parts[0]), let number = Int(parts[1]),
                      (0...instanceRange.upperBound).contains(number) else {
                    throw .badOption("--personalities wants NAME=COUNT pairs, e.g. al2-old=3,ubuntu-20.04=2; "
                                     + "names: \(Personality.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                result += Array(repeating: personality, count: number)
                guard result.count <= instanceRange.upperBound else {
                    throw .badOption("--personalities asks for more than \(instanceRange.upperBound) instances")
                }
            }
            if let count, count != result.count {
                throw .badOption("--instances \(count) disagrees with --personalities (\(result.count) in all)")
            }
            guard !result.isEmpty else { throw .badOption("--personalities names no instance") }
            return result
        }
        let name = mix ?? "default"
        guard let cycle = mixes[name] else {
            throw .badOption("unknown mix '\(name)'; known: \(mixes.keys.sorted().joined(separator: ", "))")
        }
        let total = count ?? cycle.count
        guard instanceRange.contains(total) else { throw .badOption("--instances must be between 1 and 4000") }
        return (0..<total).map { cycle[$0 % cycle.count] }
    }
}
