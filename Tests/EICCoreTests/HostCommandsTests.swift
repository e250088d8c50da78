import EICCore
import Foundation
import Testing

/// The fixed commands apply runs for AWS's published RPMs (RHEL family): built from constants only.
@Suite struct HostCommandsTests {
    static let bucket = "https://amazon-ec2-instance-connect-us-west-2.s3.us-west-2.amazonaws.com/latest/linux_amd64/"

    @Test func publishedRPMsInstallThePackageAndItsSELinuxCompanionInOneTransaction() {
        let el9 = HostCommands.commands(for: .installPublished(.dnf, .el9), useSudo: true)
        #expect(el9 == [RemoteCommand(arguments: ["sudo", "-n", "dnf", "-y", "install", Self.bucket + "ec2-instance-connect.rpm",
                                                  Self.bucket + "ec2-instance-connect-selinux.noarch.rpm"])])
        let el8 = HostCommands.commands(for: .installPublished(.dnf, .el8), useSudo: false)
        #expect(el8 == [RemoteCommand(arguments: ["dnf", "-y", "install", Self.bucket + "ec2-instance-connect.rhel8.rpm",
                                                  Self.bucket + "ec2-instance-connect-selinux.noarch.rpm"])])
        #expect(HostCommands.commands(for: .installPublished(.yum, .el8), useSudo: false)
            == [RemoteCommand(arguments: ["yum", "-y", "install"] + PublishedRPM.el8.urls)])
        #expect(HostCommands.commands(for: .installPublished(.apt, .el9), useSudo: true).isEmpty)
    }

    @Test func theBuildFollowsTheRHELFamilyMajorVersion() {
        #expect(PublishedRPM(osID: "rhel", version: "9.4") == .el9)
        #expect(PublishedRPM(osID: "centos", version: "9") == .el9)
        #expect(PublishedRPM(osID: "rocky", version: "8.10") == .el8)
        #expect(PublishedRPM(osID: "almalinux", version: "8.9") == .el8)
        #expect(PublishedRPM(osID: "rhel", version: "7.9") == nil)
        #expect(PublishedRPM(osID: "rhel", version: "10.0") == nil)
        #expect(PublishedRPM(osID: "amzn", version: "2023") == nil)
        #expect(PublishedRPM(osID: "rhel", version: nil) == nil)
    }

    @Test func aPublishedStepSurvivesASavedPlan() throws {
        let step = HostStep.installPublished(.dnf, .el9)
        let data = try JSONEncoder().encode(step)
        #expect(try JSONDecoder().decode(HostStep.self, from: data) == step)
    }
}
