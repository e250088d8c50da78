/// Fingerprints of what was observed, per target: a saved plan records them, and `apply SAVED`
/// refuses when any differs from a fresh observation (design §2: we check live AWS and the hosts).
extension Observation {
    /// Target address (`ResourceAddress`'s rendering, or a name for what has none: caller, selection,
    /// operator address, ip-ranges, prefix lists) → a short hash of everything the plan depended on.
    public func fingerprints() -> [String: String] {
        var parts: [String: String] = [:]
        parts["caller"] = caller.account
        parts["selection"] = instances.map(\.cloud.instanceId).sorted().joined(separator: ",")
        for group in groupIds {
            let rules = (groupRules[group] ?? []).filter { !$0.isEgress }.map {
                "\($0.ipProtocol)|\($0.fromPort ?? -1)|\($0.toPort ?? -1)|\($0.cidrIpv4 ?? "")|\($0.cidrIpv6 ?? "")|\($0.prefixListId ?? "")"
            }.sorted()
            parts[ResourceAddress.securityGroup(id: group).description] = rules.joined(separator: ";")
        }
        if let operatorCIDR { parts["operator_address"] = operatorCIDR }
        if let ipRanges { parts["ip_ranges"] = ipRanges.syncToken }
        for (name, id) in prefixLists { parts["prefix_list[\(name)]"] = id }
        for (name, policy) in policies {
            switch policy {
            case .absent: parts[ResourceAddress.iamPolicy(name: name).description] = "absent"
            case .present(let found, let document, let versions):
                parts[ResourceAddress.iamPolicy(name: name).description] = "\(found.defaultVersionId)|\(document.flatMap(PolicyDocument.canonical) ?? "")|\(versions.count)"
            }
        }
        for (principal, attached) in attachments {
            let key = ResourceAddress.iamPrincipal(principal).description
            parts[key] = attached.map { $0.map(\.policyArn).sorted().joined(separator: ",") } ?? "absent"
        }
        for instance in instances {
            parts[ResourceAddress.instance(id: instance.cloud.instanceId).description] = "\(instance.cloud.state)|\(instance.target?.displayName ?? "")|" + Self.hostPart(instance.host)
        }
        return parts.mapValues(Self.hash)
    }

    static func hostPart(_ host: HostObservation) -> String {
        switch host {
        case .facts(let facts):
            return ["facts", facts.osID ?? "", facts.osVersion ?? "", facts.package.version ?? "-", facts.classification.rawValue,
                    facts.effective.command ?? "", facts.effective.user ?? "", facts.privilege.rawValue].joined(separator: "|")
        case .unreachable(let error): return "unreachable|\(error.kind.rawValue)"
        case .agentUnavailable(let agent): return "no-agent|\(agent?.rawValue ?? "-")"
        case .probeFailed: return "probe-failed"
        case .notProbed(let why): return "not-probed|\(why)"
        }
    }

    /// FNV-1a, 64 bits, as 16 hex digits: change detection, not security (nothing secret goes in).
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
