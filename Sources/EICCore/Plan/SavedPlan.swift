import Foundation

/// A plan saved by `plan --out` (design §2): everything `apply SAVED` needs to carry out exactly the
/// reviewed actions — the plan as it was expanded (`${VAR}` values included; a plan has no secret
/// fields and nothing from the AWS credentials is stored), the actions, and fingerprints of everything
/// observed. Data only: the command layer seals it with a MAC and does the file I/O.
public struct SavedPlan: Sendable, Equatable, Codable {
    /// Where the plan file was (absolute), and its text then: apply refuses when the file now says otherwise.
    public var planFile: String
    public var planText: String
    /// `${NAME}` → the value the plan used; apply refuses when NAME is now set to something else.
    public var variables: [String: String]
    /// The plan after expansion and the command-line SSH overrides: what apply plans with.
    public var plan: PlanFile
    public var region: String
    public var account: String
    public var createdAt: String
    /// Target address → fingerprint of what was observed (`Observation.fingerprints()`).
    public var fingerprints: [String: String]
    /// The reviewed actions, in execution order: apply carries out these and no others.
    public var actions: [PlannedAction]

    public init(planFile: String, planText: String, variables: [String: String], plan: PlanFile, observation: Observation,
                result: PlanResult, createdAt: String) {
        self.planFile = planFile
        self.planText = planText
        self.variables = variables
        self.plan = plan
        region = observation.region
        account = observation.caller.account
        self.createdAt = createdAt
        fingerprints = observation.fingerprints()
        actions = result.actions
    }

    /// Variables the plan used that are now set to a different value, sorted (an unset one is no
    /// difference: the saved value is the reviewed one).
    public func changedVariables(_ environment: [String: String]) -> [String] {
        variables.filter { name, value in environment[name].map { !$0.isEmpty && $0 != value } ?? false }.keys.sorted()
    }

    /// Targets whose fingerprint differs from `now` (added and vanished targets included), sorted.
    public func changedTargets(_ now: [String: String]) -> [String] {
        Set(fingerprints.keys).union(now.keys).filter { fingerprints[$0] != now[$0] }.sorted()
    }

    /// Addresses whose planned work differs between the saved actions and `fresh` (a plan made now from
    /// the saved plan values and a new observation), in order. Reasons and states (what people read)
    /// are not compared; what the executor would do is.
    public func changedActions(_ fresh: [PlannedAction]) -> [String] {
        func work(_ action: PlannedAction) -> Work { Work(kind: action.kind, change: action.change, operation: action.operation) }
        let saved = Dictionary(actions.map { ($0.target, work($0)) }, uniquingKeysWith: { first, _ in first })
        let now = Dictionary(fresh.map { ($0.target, work($0)) }, uniquingKeysWith: { first, _ in first })
        var seen = Set<ResourceAddress>()
        return (actions + fresh).map(\.target).filter { seen.insert($0).inserted && saved[$0] != now[$0] }.map(\.description)
    }

    private struct Work: Equatable {
        var kind: ActionKind
        var change: Change
        var operation: Operation
    }
}

/// A saved plan as stored: a tag, the format, the plan, and a MAC over the plan's canonical JSON.
/// The MAC function is the caller's (the command layer keys an HMAC-SHA-256 with a per-user secret),
/// so the core stays free of crypto adapters and its tests can use any function.
public struct SealedSavedPlan: Sendable, Codable {
    public static let kindTag = "eicsetup-saved-plan"
    /// 4: actions carry typed reasons and states (`ActionReason`, `ActionState`) instead of sentences.
    /// 3: actions carry typed addresses (`target`), instances a transport.
    public static let currentFormat = 4

    public var kind: String
    public var formatVersion: Int
    /// "hmac-sha256:" and lowercase hex.
    public var mac: String?
    public var saved: SavedPlan?

    enum CodingKeys: String, CodingKey {
        case kind
        case formatVersion = "format_version"
        case mac
        case saved
    }

    /// True when `text` looks like a saved plan (rather than a plan file), whatever its state.
    public static func looksSaved(_ text: String) -> Bool {
        text.contains(kindTag) && (try? JSONDecoder().decode(Kind.self, from: Data(text.utf8)))?.kind == kindTag
    }

    private struct Kind: Decodable { var kind: String? }

    /// The bytes the MAC covers: the saved plan as JSON with sorted keys (the same value always gives
    /// the same bytes, so a file re-indented by hand still verifies, an edited value does not).
    public static func canonical(_ saved: SavedPlan) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(saved))
    }

    /// The file's text: `saved` with its MAC.
    public static func seal(_ saved: SavedPlan, mac: ([UInt8]) -> String) throws -> String {
        let sealed = SealedSavedPlan(kind: kindTag, formatVersion: currentFormat, mac: "hmac-sha256:" + mac(try canonical(saved)), saved: saved)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(sealed), as: UTF8.self) + "\n"
    }

    private struct Header: Decodable {
        var kind: String?
        var formatVersion: Int?
        enum CodingKeys: String, CodingKey {
            case kind
            case formatVersion = "format_version"
        }
    }

    /// The saved plan in `text` when its MAC is right; else why it is refused.
    public static func open(_ text: String, file: String, mac: ([UInt8]) -> String) throws(PlanError) -> SavedPlan {
        // The format first: an older format's actions need not decode as this version's.
        if let header = try? JSONDecoder().decode(Header.self, from: Data(text.utf8)), header.kind == kindTag,
           let format = header.formatVersion, format != currentFormat {
            throw .savedPlanRefused(file: file, .otherFormat(format))
        }
        guard let sealed = try? JSONDecoder().decode(SealedSavedPlan.self, from: Data(text.utf8)), sealed.kind == kindTag else {
            throw .savedPlanRefused(file: file, .unreadable)
        }
        guard sealed.formatVersion == currentFormat else { throw .savedPlanRefused(file: file, .otherFormat(sealed.formatVersion)) }
        guard let saved = sealed.saved, let stored = sealed.mac, let bytes = try? canonical(saved),
              Self.constantTimeEqual(stored, "hmac-sha256:" + mac(bytes)) else {
            throw .savedPlanRefused(file: file, .tampered)
        }
        return saved
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Why `apply` refused a saved plan; each case names what differs.
public enum SavedPlanRefusal: Sendable, Equatable {
    /// Not JSON of a saved plan.
    case unreadable
    /// Written by another version of eicsetup.
    case otherFormat(Int)
    /// The MAC is missing or wrong: edited, or saved by another user or machine.
    case tampered
    /// These `${VAR}`s are set now to other values than when the plan was saved.
    case environmentChanged([String])
    /// The plan file at this path now says something else.
    case planFileChanged(String)
    /// Apply would talk to another region or account than the plan observed.
    case regionChanged(saved: String, now: String)
    case accountChanged(saved: String, now: String)
    /// These targets look different now.
    case fleetChanged([String])
    /// Planned now, these actions would do other work than the saved ones.
    case actionsChanged([String])

    var reason: String {
        switch self {
        case .unreadable: return "it is not a saved plan eicsetup can read"
        case .otherFormat(let version): return "it was saved in format \(version) by another eicsetup version (this one reads \(SealedSavedPlan.currentFormat))"
        case .tampered:
            return "its content does not match its MAC: it was edited, or saved by another user or on another machine (the key is in your config directory)"
        case .environmentChanged(let names):
            return "the environment changed since: " + names.map { "${\($0)}" }.joined(separator: ", ")
                + " now differ(s) from the saved value(s); unset them to apply the reviewed values"
        case .planFileChanged(let path): return "the plan file changed since: \(path)"
        case .regionChanged(let saved, let now): return "it observed region \(saved), but apply would use \(now)"
        case .accountChanged(let saved, let now): return "it observed account \(saved), but the credentials are of account \(now)"
        case .fleetChanged(let targets): return "the fleet changed since it was saved.\nChanged: " + targets.joined(separator: ", ")
        case .actionsChanged(let addresses): return "planned now, these actions differ from the saved ones: " + addresses.joined(separator: ", ")
        }
    }
}

extension SavedPlan {
    /// Before observing: why the saved plan must not be applied in this environment, or nil.
    /// `planFileNow` is the plan file's text today (nil when it is gone: the saved copy is used).
    public func refusal(environment: [String: String], planFileNow: String?) -> SavedPlanRefusal? {
        let variables = changedVariables(environment)
        if !variables.isEmpty { return .environmentChanged(variables) }
        if let planFileNow, planFileNow != planText { return .planFileChanged(planFile) }
        return nil
    }

    /// After observing and planning again from the saved plan values: why the saved actions must not
    /// be carried out, or nil when they are exactly what would be planned now.
    public func refusal(observation: Observation, fresh: PlanResult) -> SavedPlanRefusal? {
        if observation.region != region { return .regionChanged(saved: region, now: observation.region) }
        if observation.caller.account != account { return .accountChanged(saved: account, now: observation.caller.account) }
        let targets = changedTargets(observation.fingerprints())
        if !targets.isEmpty { return .fleetChanged(targets) }
        let addresses = changedActions(fresh.actions)
        return addresses.isEmpty ? nil : .actionsChanged(addresses)
    }
}
