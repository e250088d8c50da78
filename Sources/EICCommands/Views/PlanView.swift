import EICCore
import Foundation

/// Renders a plan for people (Terraform's conventions) and for machines (one versioned JSON document).
enum PlanView {
    /// The human rendering; no-ops only with `verbose`.
    static func text(_ result: PlanResult, _ observation: Observation, verbose: Bool, style: Style) -> String {
        var out: [String] = []
        let count = observation.instances.count
        out.append("Account \(observation.caller.account.terminalSafe) as \(observation.caller.arn.terminalSafe), region \(observation.region.terminalSafe); "
                   + "\(count) instance\(count == 1 ? "" : "s") selected.")
        if let ranges = observation.ipRanges {
            out.append("ip-ranges.json: syncToken \(ranges.syncToken.terminalSafe), created \(ranges.createDate.terminalSafe) (\(ranges.ipv4.count + ranges.ipv6.count) EC2_INSTANCE_CONNECT ranges in \(observation.region)).")
        }
        let sections: [(String, [ActionKind])] = [("IAM", [.iamPolicy, .iamAttachment]), ("Security groups", [.securityGroupRule]),
                                                  ("Instances", [.instance])]
        for (title, kinds) in sections {
            let actions = result.actions.filter { kinds.contains($0.kind) && (verbose || $0.change != .noOp) }
            let unmanaged = kinds.contains(.securityGroupRule) ? result.unmanagedRules : [:]
            guard !actions.isEmpty || !unmanaged.isEmpty else { continue }
            out.append("")
            out.append(style.bold(title))
            for action in actions { out += block(action, observation, style: style) }
            for group in unmanaged.keys.sorted() {
                let rules = unmanaged[group] ?? []
                out.append(style.dim("  \(group.terminalSafe): \(rules.count) inbound rule\(rules.count == 1 ? "" : "s") not in the plan, left alone: "
                                     + rules.map(describe).joined(separator: "; ").terminalSafe))
            }
            if kinds.contains(.securityGroupRule) { out += exposureLines(result.exposedOutsideSelection, verbose: verbose, style: style) }
        }
        let summary = result.summary
        out.append("")
        if summary.hasChanges {
            out.append(style.bold("Plan: \(summary.add) to add, \(summary.change) to change, \(summary.destroy) to destroy."))
        } else {
            out.append(style.bold("No changes. Your fleet matches the plan" + (summary.needsAttention ? " wherever it can." : ".")))
        }
        if summary.needsAttention {
            var parts: [String] = []
            if summary.conflict > 0 { parts.append("\(summary.conflict) conflict\(summary.conflict == 1 ? "" : "s")") }
            if summary.unreachable > 0 { parts.append("\(summary.unreachable) unreachable") }
            if summary.skip > 0 { parts.append("\(summary.skip) skipped") }
            out.append(style.red("Needs attention: \(parts.joined(separator: ", ")) — apply leaves these as they are (reasons above)."))
        }
        if !verbose, summary.noOp > 0 {
            out.append(style.dim("\(summary.noOp) target\(summary.noOp == 1 ? "" : "s") already match the plan (verify only); -v lists them."))
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func block(_ action: PlannedAction, _ observation: Observation, style: Style) -> [String] {
        let mark: String
        switch action.change {
        case .create: mark = style.green("+")
        case .update: mark = style.yellow("~")
        case .noOp: mark = style.dim("=")
        case .conflict, .unreachable, .skip: mark = style.red(action.change.symbol)
        }
        var title = "  \(mark) \(action.address.terminalSafe)"
        if let id = action.target.instanceId, let instance = observation.instances.first(where: { $0.cloud.instanceId == id }) {
            // Under Run Command the target's address is the instance id (already in the address): show the IP and the transport.
            let ssm = instance.target?.transport == .ssm
            let address = ssm ? instance.cloud.privateIpAddress : instance.target?.address ?? instance.cloud.privateIpAddress
            title += "  " + [instance.cloud.tag("Name"), address, ssm ? "via ssm" : nil].compactMap { $0 }.joined(separator: "  ").terminalSafe
        }
        if action.change == .conflict || action.change == .unreachable || action.change == .skip {
            title += "  " + style.red(action.change.rawValue)
        }
        var lines = [title]
        if let before = action.before, action.change != .noOp || action.kind == .instance {
            lines.append("      now:  \(ReasonText.text(before).terminalSafe)")
        }
        if let after = action.after { lines.append("      then: \(ReasonText.text(after).terminalSafe)") }
        lines.append("      why:  \(ReasonText.text(action.reason).terminalSafe)")
        return lines
    }

    /// A warning per group whose new rule also opens the port on instances outside the selection: a
    /// security group is often shared, and the plan must not widen access silently.
    static func exposureLines(_ exposed: [String: [String]], verbose: Bool, style: Style) -> [String] {
        exposed.keys.sorted().map { group in
            let ids = exposed[group] ?? []
            let shown = verbose ? ids : Array(ids.prefix(5))
            let more = ids.count - shown.count
            return style.yellow("  ! \(group.terminalSafe): shared with \(ids.count) instance\(ids.count == 1 ? "" : "s") "
                + "outside the selection, which the new rule exposes too: \(shown.joined(separator: ", ").terminalSafe)"
                + (more > 0 ? " and \(more) more (-v lists them)" : ""))
        }
    }

    static func describe(_ rule: SecurityGroupRule) -> String {
        let ports = rule.ipProtocol == "-1" ? "all traffic" : "\(rule.ipProtocol)/\(rule.fromPort.map(String.init) ?? "?")" +
            (rule.toPort != rule.fromPort ? "-\(rule.toPort.map(String.init) ?? "?")" : "")
        let source = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId.map { "prefix list \($0)" } ?? "?"
        return "\(ports) from \(source)"
    }

    /// The `--json` document (schema/plan-output.schema.json).
    struct Document: Codable {
        struct Action: Codable {
            var address: String
            var kind: String
            var action: String
            var before: String?
            var after: String?
            var reason: String
            /// The reason's stable name (`ReasonCode`), for scripts: the sentence may be reworded, this is not.
            var reasonCode: String
            /// For instances: "ssh" or "ssm", how the host was (or would have been) reached; else null.
            var transport: String?
        }
        struct Summary: Codable {
            var add: Int, change: Int, destroy: Int, noOp: Int, conflict: Int, unreachable: Int, skip: Int
        }
        struct Caller: Codable { var account: String, arn: String }
        struct IPRanges: Codable { var source: String, syncToken: String, createDate: String }

        var format_version = "1"
        var caller: Caller
        var region: String
        var actions: [Action]
        var summary: Summary
        var unmanagedRules: [String: [String]]
        var exposedOutsideSelection: [String: [String]]
        var observed: [String: String]
        var ipRanges: IPRanges?

        init(_ result: PlanResult, _ observation: Observation) {
            caller = Caller(account: observation.caller.account, arn: observation.caller.arn)
            region = observation.region
            let transports = Dictionary(observation.instances.compactMap { instance in
                instance.target.map { (instance.cloud.instanceId, $0.transport.rawValue) }
            }, uniquingKeysWith: { first, _ in first })
            actions = result.actions.map {
                Action(address: $0.address, kind: $0.kind.rawValue, action: $0.change.rawValue, before: $0.before.map(ReasonText.text),
                       after: $0.after.map(ReasonText.text), reason: ReasonText.text($0.reason), reasonCode: ReasonCode.code($0.reason),
                       transport: $0.target.instanceId.flatMap { transports[$0] })
            }
            let s = result.summary
            summary = Summary(add: s.add, change: s.change, destroy: s.destroy, noOp: s.noOp, conflict: s.conflict, unreachable: s.unreachable, skip: s.skip)
            unmanagedRules = result.unmanagedRules.mapValues { $0.map(PlanView.describe) }
            exposedOutsideSelection = result.exposedOutsideSelection
            observed = observation.fingerprints()
            ipRanges = observation.ipRanges.map { IPRanges(source: $0.source, syncToken: $0.syncToken, createDate: $0.createDate) }
        }

        // Absent values are written as null so the document's keys never come and go.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(format_version, forKey: .format_version)
            try container.encode(caller, forKey: .caller)
            try container.encode(region, forKey: .region)
            try container.encode(actions, forKey: .actions)
            try container.encode(summary, forKey: .summary)
            try container.encode(unmanagedRules, forKey: .unmanagedRules)
            try container.encode(exposedOutsideSelection, forKey: .exposedOutsideSelection)
            try container.encode(observed, forKey: .observed)
            try container.encode(ipRanges, forKey: .ipRanges)
        }
    }

    static func json(_ result: PlanResult, _ observation: Observation) throws -> String {
        try JSONDocument.render(Document(result, observation))
    }
}

extension PlanView.Document.Action {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(address, forKey: .address)
        try container.encode(kind, forKey: .kind)
        try container.encode(action, forKey: .action)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
        try container.encode(reason, forKey: .reason)
        try container.encode(reasonCode, forKey: .reasonCode)
        try container.encode(transport, forKey: .transport)
    }
}
