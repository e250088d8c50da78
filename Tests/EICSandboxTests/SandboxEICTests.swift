import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// The sandbox behaves like AWS + EC2 instances with the EIC package, checked with OpenSSH itself.
@Suite struct SandboxEICTests {
    static func allowPolicy(account: String, instanceIds: [String], osUsers: [String]) -> String {
        let resources = instanceIds.map { "\"arn:aws:ec2:us-east-1:\(account):instance/\($0)\"" }.joined(separator: ",")
        let users = osUsers.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2-instance-connect:SendSSHPublicKey","#
            + #""Resource":[\#(resources)],"Condition":{"StringEquals":{"ec2:osuser":[\#(users)]}}}]}"#
    }

    static func grant(_ fixture: SandboxFixture, name: String, instanceIds: [String], osUsers: [String]) async throws {
        let iam = IAMClient(client: fixture.client())
        let policy = try await iam.createPolicy(name: name, document: allowPolicy(account: fixture.state.accountId,
                                                                                   instanceIds: instanceIds, osUsers: osUsers))
        try await iam.attachPolicy(arn: policy.arn, to: .user, name: "eic-user")
    }

    static func push(_ fixture: SandboxFixture, _ instance: SandboxState.Instance, osUser: String, key: String) async throws {
        _ = try await InstanceConnectClient(client: fixture.client(asEICUser: true))
            .sendSSHPublicKey(instanceId: instance.instanceId, osUser: osUser, publicKey: key)
    }

    /// Expects `body` to fail as AWS denies a call: AccessDeniedException, not just any error.
    static func expectDenied(_ why: Comment, _ body: () async throws -> Void) async throws {
        do {
            try await body()
            Issue.record("allowed, but expected a denial: \(why)")
        } catch let error as AWSError {
            #expect(error.code == "AccessDeniedException", "\(why): \(error)")
        }
    }

    static func login(_ fixture: SandboxFixture, _ instance: SandboxState.Instance, user: String, key: String) async throws -> OpenSSH.Result {
        try await OpenSSH.run(user: user, host: instance.ipAddress, key: key, knownHosts: fixture.state.knownHostsPath,
                              command: "id -un")
    }

    @Test func preconfiguredInstancesAcceptPushedKeysOnlyAsAllowedAndFor60Seconds() async throws {
        try await SandboxFixture.with(["al2-current", "al2-current", "ubuntu-20.04"], subnet: 40) { fixture in
            let first = try #require(fixture.instance("al2-current"))
            let second = try #require(fixture.instance("al2-current", index: 1))
            let ubuntu = try #require(fixture.instance("ubuntu-20.04"))
            let keys = try TestKeyDirectory.make()
            let (keyPath, publicKey) = try await OpenSSH.generateKey(in: keys, name: "ephemeral")

            try await Self.expectDenied("eic-user has no policy yet") {
                try await Self.push(fixture, first, osUser: "ec2-user", key: publicKey)
            }
            #expect(try await Self.login(fixture, first, user: "ec2-user", key: keyPath).status != 0)

            try await Self.grant(fixture, name: "eic-al2", instanceIds: [first.instanceId, second.instanceId],
                                 osUsers: ["ec2-user"])
            try await Self.expectDenied("a key pushed to an instance outside the policy") {
                try await Self.push(fixture, ubuntu, osUser: "ubuntu", key: publicKey)
            }
            try await Self.expectDenied("ec2:osuser must match") {
                try await Self.push(fixture, first, osUser: "root", key: publicKey)
            }

            try await Self.push(fixture, first, osUser: "ec2-user", key: publicKey)
            let pushedAt = Date()
            let accepted = try await Self.login(fixture, first, user: "ec2-user", key: keyPath)
            #expect(accepted.status == 0, "stderr: \(accepted.stderr)")
            #expect(accepted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ec2-user")
            #expect(try await Self.login(fixture, second, user: "ec2-user", key: keyPath).status != 0,
                    "a key pushed for another instance must not log in")

            try await Self.grant(fixture, name: "eic-ubuntu", instanceIds: [ubuntu.instanceId], osUsers: ["ubuntu"])
            let (ubuntuKey, ubuntuPublic) = try await OpenSSH.generateKey(in: keys, name: "ubuntu")
            try await Self.push(fixture, ubuntu, osUser: "ubuntu", key: ubuntuPublic)
            #expect(try await Self.login(fixture, ubuntu, user: "ubuntu", key: ubuntuKey).status == 0,
                    "Ubuntu 20.04's systemd drop-in configures EIC")

            // The key lives 60 s: still good at 50 s (a shorter lifetime must fail here), gone after 61 s.
            try await Self.sleep(until: pushedAt.addingTimeInterval(50))
            let late = try await Self.login(fixture, first, user: "ec2-user", key: keyPath)
            #expect(late.status == 0, "a pushed key must still log in 50 s later: \(late.stderr)")
            try await Self.sleep(until: pushedAt.addingTimeInterval(61))
            #expect(try await Self.login(fixture, first, user: "ec2-user", key: keyPath).status != 0,
                    "a pushed key expires after 60 seconds")
        }
    }

    static func sleep(until moment: Date) async throws {
        let wait = moment.timeIntervalSinceNow
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000)) }
    }

    @Test func oldAmazonLinuxNeedsThePackageAndAForeignCommandSurvivesTheInstall() async throws {
        try await SandboxFixture.with(["al2-old", "conflict-sshd-config"], subnet: 41) { fixture in
            let old = try #require(fixture.instance("al2-old"))
            let conflict = try #require(fixture.instance("conflict-sshd-config"))
            let keys = try TestKeyDirectory.make()
            let (keyPath, publicKey) = try await OpenSSH.generateKey(in: keys, name: "ephemeral")
            try await Self.grant(fixture, name: "eic-old", instanceIds: [old.instanceId], osUsers: ["ec2-user"])

            try await Self.push(fixture, old, osUser: "ec2-user", key: publicKey)
            #expect(try await Self.login(fixture, old, user: "ec2-user", key: keyPath).status != 0,
                    "AL2 2.0.20180810 has no EIC until the package is installed")
            let install = try await OpenSSH.run(user: "ec2-user", host: old.ipAddress, key: fixture.state.fleetKeyPath,
                                                knownHosts: fixture.state.knownHostsPath,
                                                command: "sudo -n yum install -y ec2-instance-connect")
            #expect(install.status == 0, "stderr: \(install.stderr)")
            try await Self.push(fixture, old, osUser: "ec2-user", key: publicKey)
            let after = try await Self.login(fixture, old, user: "ec2-user", key: keyPath)
            #expect(after.status == 0, "stderr: \(after.stderr)")

            let conflictInstall = try await OpenSSH.run(
                user: "ec2-user", host: conflict.ipAddress, key: fixture.state.fleetKeyPath,
                knownHosts: fixture.state.knownHostsPath,
                command: "sudo -n yum install -y ec2-instance-connect >/dev/null 2>&1; sudo -n /usr/sbin/sshd -T | grep -i '^authorizedkeyscommand '")
            #expect(conflictInstall.stdout.lowercased().hasPrefix("authorizedkeyscommand "))
            #expect(!conflictInstall.stdout.contains("eic_run_authorized_keys"), "the foreign command stays: \(conflictInstall.stdout)")
        }
    }

    @Test func upTwiceIsRefusedAndDownLeavesNothingBehind() async throws {
        let layout = try SandboxFixture.layout()
        let state = try await SandboxFixture.with(["ubuntu-22.04", "unreachable"], subnet: 42) { fixture in
            var options = SandboxOptions(stateDirectory: fixture.state.stateDirectory, personalities: ["ubuntu-22.04"])
            options.firstSubnet = 43
            do {
                _ = try await Sandbox.up(options, layout: layout)
                Issue.record("a second up on the same state directory was accepted")
            } catch {
                #expect("\(error)".contains("already up"))
            }
            let status = try Sandbox.status(stateDirectory: fixture.state.stateDirectory)
            #expect(status.awsRunning)
            #expect(status.instances.map(\.sshListening) == [true, false], "unreachable runs without sshd")
            #expect(status.instances.allSatisfy { $0.running && $0.memoryKiB > 0 })
            return fixture.state
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(!FileManager.default.fileExists(atPath: state.stateDirectory))
        let awsdCommandLine = (try? String(contentsOfFile: "/proc/\(state.awsdPid)/cmdline", encoding: .utf8)) ?? ""
        #expect(!awsdCommandLine.contains("awsd"))
        for instance in state.instances {
            #expect(!LoopbackPort.isListening(host: instance.ipAddress, port: 22))
            let cmdline = (try? String(contentsOfFile: "/proc/\(instance.pid)/cmdline", encoding: .utf8)) ?? ""
            #expect(!cmdline.contains("nsinit"))
        }
        #expect(try await Sandbox.down(stateDirectory: state.stateDirectory, layout: layout) == false, "a second down is a no-op")
    }
}
