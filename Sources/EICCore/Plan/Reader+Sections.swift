/// The plan's sections, read with `Reader` (design §3 is the reference for every key).
extension Reader {
    mutating func plan(_ root: JSONValue) -> PlanFile? {
        guard let top = object(root, "", allowed: ["version", "region", "securityGroups", "instances", "iam", "$schema", "description"]) else {
            return nil
        }
        let version = integer(top["version"], "version")
        if top["version"] == nil { issue("version", "missing; write \"version\": 1") } else if let version, version != 1 {
            issue("version", "\(version) is not supported; this eicsetup reads version 1")
        }
        _ = string(top["description"], "description")
        _ = string(top["$schema"], "$schema")
        let region = checked(string(top["region"], "region"), "region", PlanValidators.region)
        var groups: [SecurityGroupEntry] = []
        for (path, item) in array(top["securityGroups"], "securityGroups") ?? [] {
            if let entry = securityGroup(item, path) { groups.append(entry) }
        }
        let instances = top["instances"].flatMap { instancesSection($0, "instances") }
        let iam = top["iam"].flatMap { iamSection($0, "iam") }
        if groups.contains(where: { $0.target == .groupsOfSelectedInstances }), top["instances"] == nil {
            issue("securityGroups", "\"groupsOf\": \"instances\" needs an instances section that selects them")
        }
        if let iam, iam.policies.contains(where: { $0.instances == .selected }), top["instances"] == nil {
            issue("iam.policies", "\"instances\": \"selected\" needs an instances section that selects them")
        }
        return PlanFile(version: version ?? 1, region: region, securityGroups: groups, instances: instances, iam: iam)
    }

    mutating func securityGroup(_ value: JSONValue, _ path: String) -> SecurityGroupEntry? {
        guard let fields = object(value, path, allowed: ["groupId", "groupsOf", "ingress"]) else { return nil }
        var target: SecurityGroupEntry.Target?
        switch (fields["groupId"], fields["groupsOf"]) {
        case (.some(let id), nil):
            target = checked(string(id, path + ".groupId"), path + ".groupId", PlanValidators.groupId).map { .groupId($0) }
        case (nil, .some(let of)):
            if let text = string(of, path + ".groupsOf") {
                if text == "instances" { target = .groupsOfSelectedInstances } else {
                    issue(path + ".groupsOf", "\"\(text)\" is not supported; write \"instances\" (the groups of the selected instances)")
                }
            }
        case (.some, .some): issue(path, "give either groupId or groupsOf, not both")
        case (nil, nil): issue(path, "missing groupId (sg-…) or \"groupsOf\": \"instances\"")
        }
        var rules: [IngressRule] = []
        if fields["ingress"] == nil { issue(path + ".ingress", "missing; list the inbound rules this group needs") }
        for (rulePath, item) in array(fields["ingress"], path + ".ingress") ?? [] {
            if let rule = ingressRule(item, rulePath) { rules.append(rule) }
        }
        guard let target else { return nil }
        return SecurityGroupEntry(target: target, ingress: rules)
    }

    mutating func ingressRule(_ value: JSONValue, _ path: String) -> IngressRule? {
        guard let fields = object(value, path, allowed: ["port", "cidr", "ipRanges", "prefixList", "description"]) else { return nil }
        let port = fields["port"] == nil ? 22 : checked(integer(fields["port"], path + ".port"), path + ".port", PlanValidators.port)
        let description = checked(string(fields["description"], path + ".description"), path + ".description", PlanValidators.ruleDescription)
        let given = ["cidr", "ipRanges", "prefixList"].filter { fields[$0] != nil }
        guard given.count == 1 else {
            issue(path, given.isEmpty ? "missing a source: cidr, ipRanges or prefixList" : "give one source, not \(given.joined(separator: " and "))")
            return nil
        }
        var source: IngressRule.Source?
        if let cidr = string(fields["cidr"], path + ".cidr") {
            source = cidr == "auto" ? .operatorAddress : checked(cidr, path + ".cidr", PlanValidators.cidr).map { .cidr($0) }
        } else if let ranges = object(fields["ipRanges"], path + ".ipRanges", allowed: ["service", "source"]) {
            let service = string(ranges["service"], path + ".ipRanges.service") ?? "EC2_INSTANCE_CONNECT"
            if service != "EC2_INSTANCE_CONNECT" {
                issue(path + ".ipRanges.service", "\"\(service)\" is not supported; EC2_INSTANCE_CONNECT is the service whose ranges push keys")
            }
            let from = string(ranges["source"], path + ".ipRanges.source") ?? "https://ip-ranges.amazonaws.com/ip-ranges.json"
            if let ok = checked(from, path + ".ipRanges.source", PlanValidators.rangesSource) { source = .ipRanges(service: service, source: ok) }
        } else if let list = string(fields["prefixList"], path + ".prefixList") {
            source = checked(list, path + ".prefixList", PlanValidators.prefixList).map { .prefixList($0) }
        }
        guard let port, let source else { return nil }
        return IngressRule(port: port, source: source, description: description)
    }

    mutating func instancesSection(_ value: JSONValue, _ path: String) -> InstancesSection? {
        guard let fields = object(value, path, allowed: ["select", "ssh", "onConflict", "minimumPackageVersion", "transport", "ssm"]) else { return nil }
        let select = fields["select"] == nil ? nil : selection(fields["select"], path + ".select")
        if fields["select"] == nil { issue(path + ".select", "missing; select instances by ids, tags or filters") }
        let ssh = fields["ssh"] == nil ? SSHSettings() : sshSettings(fields["ssh"], path + ".ssh")
        let conflict = fields["onConflict"] == nil ? .report : choice(fields["onConflict"], path + ".onConflict", ConflictPolicy.self)
        let minimums = packageMinimums(fields["minimumPackageVersion"], path + ".minimumPackageVersion")
        let transport = fields["transport"] == nil ? .ssh : choice(fields["transport"], path + ".transport", TransportChoice.self)
        let ssm = fields["ssm"] == nil ? SSMSettings() : ssmSettings(fields["ssm"], path + ".ssm")
        guard let select, let ssh, let conflict, let transport, let ssm else { return nil }
        return InstancesSection(select: select, ssh: ssh, onConflict: conflict, minimumPackageVersions: minimums,
                                transport: transport, ssm: ssm)
    }

    /// `"ssm": {"maxConcurrency": "50", "maxErrors": "10%"}`: Run Command's rate control, in AWS's format.
    mutating func ssmSettings(_ value: JSONValue?, _ path: String) -> SSMSettings? {
        guard let fields = object(value, path, allowed: ["maxConcurrency", "maxErrors"]) else { return nil }
        let concurrencyRule = { (text: String) -> String? in
            SSMSettings.isValidConcurrency(text) ? nil : "\"\(text)\" is not a positive count or a percentage from 1% to 100%, as Run Command's MaxConcurrency"
        }
        let errorsRule = { (text: String) -> String? in
            SSMSettings.isValidErrors(text) ? nil : "\"\(text)\" is not a count or a percentage from 0% to 100%, as Run Command's MaxErrors"
        }
        let before = issues.count
        let concurrency = fields["maxConcurrency"].flatMap { string($0, path + ".maxConcurrency") }
            .flatMap { checked($0, path + ".maxConcurrency", concurrencyRule) }
        let errors = fields["maxErrors"].flatMap { string($0, path + ".maxErrors") }.flatMap { checked($0, path + ".maxErrors", errorsRule) }
        return issues.count == before ? SSMSettings(maxConcurrency: concurrency, maxErrors: errors) : nil
    }

    /// `"minimumPackageVersion"`: an object of family → version (`{"amazon-linux": "1.1-19", "ubuntu":
    /// "1.1.14"}`), or a string, which is Amazon Linux's minimum (the rpm numbering of its documented
    /// default 1.1-18; earlier plans meant that). Families left out keep `PackageMinimums.defaults`.
    mutating func packageMinimums(_ value: JSONValue?, _ path: String) -> [PackageFamily: String] {
        guard let value else { return [:] }
        if case .string = value {
            return checked(string(value, path), path, PlanValidators.packageVersion).map { [.amazonLinux: $0] } ?? [:]
        }
        let families = PackageFamily.allCases.map(\.rawValue).joined(separator: ", ")
        let map = stringMap(value, path, key: { PackageFamily(rawValue: $0) == nil ? "unknown distribution family; one of \(families)" : nil },
                            value: PlanValidators.packageVersion) ?? [:]
        var out: [PackageFamily: String] = [:]
        for (key, version) in map { if let family = PackageFamily(rawValue: key) { out[family] = version } }
        return out
    }

    mutating func selection(_ value: JSONValue?, _ path: String) -> InstanceSelection? {
        guard let fields = object(value, path, allowed: ["ids", "tags", "filters"]) else { return nil }
        let ids = strings(fields["ids"], path + ".ids", check: PlanValidators.instanceId) ?? []
        let tags = stringMap(fields["tags"], path + ".tags", key: PlanValidators.tagKey, value: PlanValidators.tagValue) ?? [:]
        var filters: [String: [String]] = [:]
        if let given = fields["filters"], case .object = given {} else if let given = fields["filters"] {
            issue(path + ".filters", "must be an object of filter name → values, not \(given.typeName)")
        }
        if case .object(let members)? = fields["filters"] {
            for member in members {
                let memberPath = Reader.join(path + ".filters", member.key)
                if !TextShape.consists(member.key, of: { TextShape.isAlphanumeric($0) || TextShape.isOneOf(":._-")($0) }, count: 1...128) { issue(memberPath, "not a DescribeInstances filter name"); continue }
                filters[member.key] = strings(member.value, memberPath) { $0.isEmpty ? "filter values cannot be empty" : nil }
            }
        }
        if ids.isEmpty && tags.isEmpty && filters.isEmpty, issues.allSatisfy({ !$0.path.hasPrefix(path) }) {
            issue(path, "selects every instance in the region; name ids, tags or filters (eicsetup never onboards a whole account by accident)")
            return nil
        }
        return InstanceSelection(ids: ids, tags: tags, filters: filters)
    }

    mutating func sshSettings(_ value: JSONValue?, _ path: String) -> SSHSettings? {
        guard let fields = object(value, path, allowed: ["user", "identityFile", "address", "hostKeys", "knownHosts", "port",
                                                         "connectTimeoutSeconds", "commandTimeoutSeconds"]) else { return nil }
        var settings = SSHSettings()
        let before = issues.count
        if let user = string(fields["user"], path + ".user") {
            if user == "auto" { settings.user = .auto } else if let ok = checked(user, path + ".user", PlanValidators.osUser) {
                settings.user = .named(ok)
            }
        }
        settings.identityFile = checked(string(fields["identityFile"], path + ".identityFile"), path + ".identityFile") {
            $0.contains("\0") ? "not a file path" : nil
        }
        if fields["address"] != nil, let address = choice(fields["address"], path + ".address", SSHSettings.AddressChoice.self) { settings.address = address }
        if fields["hostKeys"] != nil, let mode = choice(fields["hostKeys"], path + ".hostKeys", HostKeyMode.self) { settings.hostKeys = mode }
        if let known = string(fields["knownHosts"], path + ".knownHosts") { settings.knownHosts = known }
        if let port = checked(integer(fields["port"], path + ".port"), path + ".port", PlanValidators.port) { settings.port = port }
        let timeout: (Int) -> String? = { (1...86_400).contains($0) ? nil : "\($0) is not between 1 and 86400 seconds" }
        if let value = checked(integer(fields["connectTimeoutSeconds"], path + ".connectTimeoutSeconds"), path + ".connectTimeoutSeconds", timeout) {
            settings.connectTimeoutSeconds = value
        }
        if let value = checked(integer(fields["commandTimeoutSeconds"], path + ".commandTimeoutSeconds"), path + ".commandTimeoutSeconds", timeout) {
            settings.commandTimeoutSeconds = value
        }
        return issues.count == before ? settings : nil
    }
}
