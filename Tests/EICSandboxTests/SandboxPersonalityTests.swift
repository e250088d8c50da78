import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// Every row of sandbox/personalities.tsv comes up as the row says, checked from outside: EC2 tags and
/// AMIs through the local AWS, the instance itself through OpenSSH. A new row is checked with no change here.
@Suite struct SandboxPersonalityTests {
    @Test func everyRowOfTheTableStartsAndIsTagged() async throws {
        let table = try PersonalityTable.load(SandboxFixture.layout())
        try await SandboxFixture.with(table.names, subnet: 63) { fixture in
            let state = fixture.state
            let ec2 = EC2Client(client: fixture.client())
            let described = try await ec2.describeInstances(filters: [("tag:Fleet", ["sandbox"])])
            let byId = Dictionary(uniqueKeysWithValues: described.map { ($0.instanceId, $0) })
            let images = try await ec2.describeImages(ids: Array(Set(described.map(\.imageId))))
            let amiNames = Dictionary(uniqueKeysWithValues: images.map { ($0.imageId, $0.name ?? "") })
            let status = try Sandbox.status(stateDirectory: state.stateDirectory)
            #expect(state.instances.map(\.personality) == table.names)

            // The keys sshd really presents, to look inside even where the handed-out line is stale.
            let actualKnownHosts = state.stateDirectory + "/actual_known_hosts"
            try state.instances.map { try String(contentsOfFile: $0.rootDirectory + "/actual_known_hosts_line", encoding: .utf8) }
                .joined().write(toFile: actualKnownHosts, atomically: true, encoding: .utf8)

            for (instance, row) in zip(state.instances, table.personalities) {
                let name = row.name
                let cloud = try #require(byId[instance.instanceId], "\(name) is not in DescribeInstances")
                let tags = Dictionary(cloud.tags.map { ($0.key, $0.value) }) { first, _ in first }
                #expect(tags["Personality"] == name && tags["Fleet"] == "sandbox", "\(name): \(tags)")
                #expect(cloud.state == "running" && cloud.privateIpAddress == instance.ipAddress, "\(name)")
                #expect(amiNames[cloud.imageId] == row.image.amiName, "\(name): AMI \(amiNames[cloud.imageId] ?? "?")")
                #expect(instance.loginUser == row.image.loginUser, "\(name)")
                let seen = try #require(status.instances.first { $0.instanceId == instance.instanceId })
                #expect(seen.running && seen.sshListening == row.runsSSHD, "\(name): \(seen)")

                let files = instance.rootDirectory
                // `up` returns only once every instance finished its first boot (nothing changes behind the caller).
                #expect(FileManager.default.fileExists(atPath: files + "/run/booted"), "\(name) was still booting")
                let environment = try String(contentsOfFile: files + "/run/instance.env", encoding: .utf8)
                for (key, value) in row.image.values {
                    #expect(environment.contains("\n\(key)=\(ShellQuote.quote(value))\n"), "\(name): \(key) not handed to the scripts")
                }
                let installed = try? String(contentsOfFile: files + "/run/pkg/ec2-instance-connect", encoding: .utf8)
                #expect(installed?.trimmingCharacters(in: .whitespacesAndNewlines) == row.package, "\(name): package \(installed ?? "none")")
                let configuration = try ["/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/50-vault-ssh.conf"]
                    .compactMap { try? String(contentsOfFile: files + $0, encoding: .utf8) }.joined()
                #expect(configuration.contains("vault-ssh-keys") == (row.foreignKeysCommand != .none), "\(name)")
                guard row.runsSSHD else {
                    #expect(!Loopback.isListening(host: instance.ipAddress, port: 22), "\(name): sshd should be down")
                    continue
                }
                guard row.isReachable else {
                    // sshd nokey: tcp/22 answers, but the launch key gets no login (only SSM reaches it).
                    let refused = try await OpenSSH.run(user: instance.loginUser, host: instance.ipAddress, key: state.fleetKeyPath,
                                                        knownHosts: actualKnownHosts, command: "true")
                    #expect(refused.status != 0 && refused.stderr.contains("Permission denied"), "\(name): \(refused.stderr)")
                    continue
                }

                // Inside: the image's os-release and the row's sudo rule, over a real login.
                let inside = try await OpenSSH.run(user: instance.loginUser, host: instance.ipAddress, key: state.fleetKeyPath,
                                                   knownHosts: actualKnownHosts,
                                                   command: "cat /etc/os-release; if sudo -n true 2>/dev/null; then echo SUDO-OK; fi")
                #expect(inside.status == 0, "\(name): \(inside.stderr)")
                let osRelease = try String(contentsOfFile: RepositoryPaths.root.appendingPathComponent(
                    "sandbox/instance/images/\(row.image.name)/os-release").path, encoding: .utf8)
                #expect(inside.stdout.hasPrefix(osRelease), "\(name): \(inside.stdout)")
                #expect(inside.stdout.contains("SUDO-OK") == (row.sudo == .nopasswd), "\(name)")
                // The known_hosts handed out matches the host unless the row replaced its key.
                let handedOut = try await OpenSSH.run(user: instance.loginUser, host: instance.ipAddress, key: state.fleetKeyPath,
                                                      knownHosts: state.knownHostsPath, command: "true")
                #expect((handedOut.status == 0) == (row.hostKey == .kept), "\(name): \(handedOut.stderr)")
            }
        }
    }
}
