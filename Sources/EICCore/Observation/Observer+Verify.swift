/// What `verify` reads: the instances (DescribeInstances, which the plan's policy can allow) and,
/// best effort, what helps diagnose a failed login — the security group rules, the operator's address
/// and a probe over the fleet key. A colleague verifying with a narrow identity still gets results.
extension Observer {
    public func observeForVerify(_ plan: PlanFile, region: String, probeHosts: Bool) async throws(ObserveError) -> Observation {
        let caller = try await step("find out who is calling (sts:GetCallerIdentity)") { try await cloud.callerIdentity() }
        var observation = Observation(caller: caller, region: region)
        guard let section = plan.instances else { return observation }
        let instances = try await step("read the selected instances (ec2:DescribeInstances)") {
            try await cloud.instances(section.select)
        }.filter { $0.lifecycle != .terminated }
        var seen = Set<String>()
        observation.groupIds = instances.flatMap(\.securityGroupIds).filter { seen.insert($0).inserted }
        if !observation.groupIds.isEmpty, let rules = try? await cloud.securityGroupRules(groupIds: observation.groupIds) {
            observation.groupRules = Dictionary(grouping: rules, by: \.groupId)
        }
        if let bytes = try? await fetcher.fetch(operatorAddressURL) {
            let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            observation.operatorCIDR = CIDR.host(text)?.text
        }
        var images: [String: MachineImage] = [:]
        for image in (try? await cloud.images(ids: Array(Set(instances.map(\.imageId))).sorted())) ?? [] { images[image.imageId] = image }
        if probeHosts {
            // Best effort, as the rest of verify's diagnosis: without ssm:DescribeInstanceInformation, no agent is known.
            let agents = (try? await readAgents(plan, instances)) ?? [:]
            observation.instances = await probe(instances, images: images, plan: plan, agents: agents)
        } else {
            observation.instances = instances.map {
                ObservedInstance(cloud: $0, image: images[$0.imageId], target: nil, host: .notProbed(.noFleetKey))
            }
        }
        return observation
    }
}
