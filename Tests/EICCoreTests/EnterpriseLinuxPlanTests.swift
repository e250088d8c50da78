import Testing
@testable import EICCore

/// RHEL-family hosts (issue 22): their repositories lack the package, so the planner installs the RPM AWS
/// publishes for the major release, upgrades an old one the same way, and still skips what it cannot handle.
@Suite struct EnterpriseLinuxPlanTests {
    static func facts(_ osID: String, _ version: String, package: String?, manager: PackageManager? = .dnf) -> HostFacts {
        HostFacts(osID: osID, osVersion: version, osPrettyName: nil, packageManager: manager, privilege: .sudo,
                  package: PackageState(installed: package != nil, version: package, queriedWith: "rpm"),
                  effective: package == nil
                      ? EffectiveCommand(command: nil, user: nil, source: .sshdT, fromSystemdOption: false)
                      : EffectiveCommand(command: "/opt/aws/bin/eic_run_authorized_keys %u %f", user: "ec2-instance-connect",
                                         source: .sshdT, fromSystemdOption: false),
                  settings: [], classification: package == nil ? .none : .eic, notes: [])
    }

    static func plan(_ facts: HostFacts, overrides: [PackageFamily: String] = [:]) -> PlannedAction {
        let cloud = CloudInstance(instanceId: "i-0000000000000000b", state: "running", imageId: "ami-1", privateIpAddress: "10.0.0.2",
                                  publicIpAddress: nil, availabilityZone: nil, platformDetails: nil, keyName: nil, vpcId: nil,
                                  subnetId: nil, securityGroupIds: [], tags: [])
        let instance = ObservedInstance(cloud: cloud, image: nil, target: nil, host: .facts(facts))
        let section = InstancesSection(select: InstanceSelection(ids: ["i-0000000000000000b"]), minimumPackageVersions: overrides)
        return Planner(templates: FakeFleet.templates).instanceAction(instance, section)
    }

    static func steps(_ action: PlannedAction) -> [HostStep] {
        if case .onboardHost(_, let steps, _, _) = action.operation { return steps }
        return []
    }

    @Test func distributionsOfTheFamilyMapToTheirPublishedBuild() {
        #expect(Distribution(osID: "rhel", version: "9.4") == .enterpriseLinux(id: "rhel", version: "9.4", build: .el9))
        #expect(Distribution(osID: "rocky", version: "8.10") == .enterpriseLinux(id: "rocky", version: "8.10", build: .el8))
        #expect(Distribution(osID: "centos", version: "9").description == "CentOS Stream 9")
        #expect(Distribution(osID: "rhel", version: "7.9") == .other(id: "rhel", version: "7.9"))
        #expect(PackageFamily(Distribution(osID: "almalinux", version: "9.3")) == .enterpriseLinux)
    }

    @Test func aHostWithoutThePackageGetsAWSsPublishedRPM() {
        let rhel9 = Self.plan(Self.facts("rhel", "9.4", package: nil))
        #expect(rhel9.change == .create)
        #expect(Self.steps(rhel9) == [.installPublished(.dnf, .el9)])
        #expect(rhel9.after == .packageInstalled(.installPublished(.dnf, .el9)))
        let rocky8 = Self.plan(Self.facts("rocky", "8.10", package: nil))
        #expect(Self.steps(rocky8) == [.installPublished(.dnf, .el8)])
    }

    @Test func anOldPackageIsUpgradedFromThePublishedRPMAndTheFloorIsOverridable() {
        let old = Self.plan(Self.facts("rhel", "9.4", package: "1.1-12.el9"))
        #expect(old.change == .update)
        #expect(Self.steps(old) == [.installPublished(.dnf, .el9)])
        #expect(PackageMinimumsTests.tooOld(old.reason)?.fix?.contains("status-22 fix") == true, "\(old.reason)")
        #expect(Self.plan(Self.facts("rhel", "9.4", package: "1.1-19.el9")).change == .noOp)
        let raised = Self.plan(Self.facts("rhel", "9.4", package: "1.1-19.el9"), overrides: [.enterpriseLinux: "1.1-20"])
        #expect(raised.change == .update && PackageMinimumsTests.tooOld(raised.reason)?.fix == nil, "\(raised.reason)")
    }

    @Test func unsupportedReleasesAndMissingDnfAreSkipped() {
        let rhel7 = Self.plan(Self.facts("rhel", "7.9", package: nil, manager: .yum))
        #expect(rhel7.change == .skip && rhel7.reason == .unsupportedDistribution(.other(id: "rhel", version: "7.9")), "\(rhel7.reason)")
        let zypper = Self.plan(Self.facts("rhel", "9.4", package: nil, manager: .zypper))
        #expect(zypper.change == .skip)
    }
}
