/// The `iam` section: policies eicsetup owns and where they are attached.
extension Reader {
    mutating func iamSection(_ value: JSONValue, _ path: String) -> IAMSection? {
        guard let fields = object(value, path, allowed: ["policies", "attachments"]) else { return nil }
        var policies: [PolicySpec] = []
        for (itemPath, item) in array(fields["policies"], path + ".policies") ?? [] {
            if let policy = policySpec(item, itemPath) {
                if policies.contains(where: { $0.name == policy.name }) {
                    issue(itemPath + ".name", "\"\(policy.name)\" is defined twice")
                } else {
                    policies.append(policy)
                }
            }
        }
        splitNameCollisions(policies, path + ".policies")
        var attachments: [AttachmentSpec] = []
        for (itemPath, item) in array(fields["attachments"], path + ".attachments") ?? [] {
            guard let attachment = attachmentSpec(item, itemPath) else { continue }
            if !policies.contains(where: { $0.name == attachment.policy }) {
                issue(itemPath + ".policy", "\"\(attachment.policy)\" is not one of the plan's policies (iam.policies[].name); eicsetup only attaches policies it manages")
                continue
            }
            attachments.append(attachment)
        }
        return IAMSection(policies: policies, attachments: attachments)
    }

    mutating func policySpec(_ value: JSONValue, _ path: String) -> PolicySpec? {
        guard let fields = object(value, path, allowed: ["name", "description", "allow", "adopt"]) else { return nil }
        if fields["name"] == nil { issue(path + ".name", "missing; name the managed policy") }
        let name = checked(string(fields["name"], path + ".name"), path + ".name", PlanValidators.policyName)
        let description = checked(string(fields["description"], path + ".description"), path + ".description") {
            $0.count <= 1000 ? nil : "policy descriptions are at most 1000 characters"
        }
        if fields["allow"] == nil { issue(path + ".allow", "missing; say which instances and OS users the policy allows") }
        guard let allow = object(fields["allow"], path + ".allow", allowed: ["instances", "osUsers", "describeInstances"]) else { return nil }
        var instances: PolicySpec.Instances?
        let instancesPath = path + ".allow.instances"
        switch allow["instances"] {
        case nil: issue(instancesPath, "missing; \"selected\", {\"ids\": [...]} or {\"tags\": {...}}")
        case .string(let text)?:
            if text == "selected" { instances = .selected } else { issue(instancesPath, "\"\(text)\" is not \"selected\"; or give {\"ids\": [...]} or {\"tags\": {...}}") }
        case let other?:
            if let chosen = object(other, instancesPath, allowed: ["ids", "tags"]) {
                if chosen.count != 1 { issue(instancesPath, "give either ids or tags") } else if chosen["ids"] != nil {
                    let ids = strings(chosen["ids"], instancesPath + ".ids", check: PlanValidators.instanceId) ?? []
                    if ids.isEmpty, chosen["ids"] != nil { issue(instancesPath + ".ids", "is empty; the policy would allow nothing") }
                    instances = .ids(ids)
                } else {
                    let tags = stringMap(chosen["tags"], instancesPath + ".tags", key: PlanValidators.policyTagKey, value: PlanValidators.policyTagValue) ?? [:]
                    if tags.isEmpty { issue(instancesPath + ".tags", "is empty; a tag policy needs at least one tag") }
                    instances = .tags(tags)
                }
            }
        }
        let users = strings(allow["osUsers"], path + ".allow.osUsers", check: PlanValidators.osUser)
        if allow["osUsers"] == nil || allow["osUsers"] == .array([]) {
            issue(path + ".allow.osUsers", "list the OS users people may log in as, e.g. [\"ec2-user\", \"ubuntu\"]")
        }
        let describe = bool(allow["describeInstances"], path + ".allow.describeInstances") ?? false
        let adopt = bool(fields["adopt"], path + ".adopt") ?? false
        guard let name, let instances, let users, !users.isEmpty else { return nil }
        return PolicySpec(name: name, description: description, instances: instances, osUsers: users, describeInstances: describe,
                          adopt: adopt)
    }

    /// A policy by instance ARN may be split into NAME, NAME-2, NAME-3… (Planner.documents); those
    /// names must neither be another plan policy's name (each apply would rewrite it) nor pass IAM's
    /// 128 characters. How many parts there will be depends on the fleet, so any NAME-<digits> is refused.
    mutating func splitNameCollisions(_ policies: [PolicySpec], _ path: String) {
        for (index, policy) in policies.enumerated() where policy.instances.byArn {
            if policy.name.count > PlanValidators.splitPolicyNameLimit {
                issue("\(path)[\(index)].name", "a policy by instance ARN may be split into \(policy.name)-2, \(policy.name)-3…; keep its name to \(PlanValidators.splitPolicyNameLimit) characters so those stay within IAM's 128")
            }
            for (otherIndex, other) in policies.enumerated() where otherIndex != index {
                guard other.name.hasPrefix(policy.name + "-") else { continue }
                let suffix = other.name.dropFirst(policy.name.count + 1)
                guard !suffix.isEmpty, suffix.allSatisfy(\.isASCII), suffix.allSatisfy(\.isNumber) else { continue }
                issue("\(path)[\(otherIndex)].name", "\"\(other.name)\" is a name \(path)[\(index)] (\"\(policy.name)\", by instance ARN) uses when it is split into parts; rename one of them")
            }
        }
    }

    mutating func attachmentSpec(_ value: JSONValue, _ path: String) -> AttachmentSpec? {
        guard let fields = object(value, path, allowed: ["policy", "users", "groups", "roles"]) else { return nil }
        if fields["policy"] == nil { issue(path + ".policy", "missing; name one of iam.policies") }
        let policy = string(fields["policy"], path + ".policy")
        var principals: [PrincipalRef] = []
        for (key, kind) in [("users", PrincipalKind.user), ("groups", .group), ("roles", .role)] {
            let names = strings(fields[key], path + "." + key) { PlanValidators.principalName($0, kind: kind) } ?? []
            principals += names.map { PrincipalRef(kind: kind, name: $0) }
        }
        if principals.isEmpty, fields["users"] == nil && fields["groups"] == nil && fields["roles"] == nil {
            issue(path, "attaches to nobody; list users, groups or roles")
        }
        guard let policy else { return nil }
        return AttachmentSpec(policy: policy, principals: principals)
    }
}
