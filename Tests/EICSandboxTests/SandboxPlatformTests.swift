import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// The 2026 platforms' stand-ins, driven over real SSH: RHEL's package comes only from AWS's published
/// URLs (with its SELinux companion) and configures sshd the EL8 or the EL9 way; Ubuntu 24.04's sshd is
/// socket-activated, so stopping ssh.service does not stop logins.
@Suite struct SandboxPlatformTests {
    static func ssh(_ fixture: SandboxFixture, _ instance: SandboxState.Instance, _ command: String) async throws -> OpenSSH.Result {
        try await OpenSSH.run(user: instance.loginUser, host: instance.ipAddress, key: fixture.state.fleetKeyPath,
                              knownHosts: fixture.state.knownHostsPath, command: command)
    }

    @Test func rhelInstallsOnlyFromAWSsPublishedRPMsAndConfiguresSSHDItsReleasesWay() async throws {
        try await SandboxFixture.with(["rhel-9", "rhel-8"], subnet: 64) { fixture in
            for (personality, rpm) in [("rhel-9", PublishedRPM.el9), ("rhel-8", PublishedRPM.el8)] {
                let instance = try #require(fixture.instance(personality))
                let byName = try await Self.ssh(fixture, instance, "sudo -n dnf -y install ec2-instance-connect")
                #expect(byName.status == 1 && byName.stderr.contains("Unable to find a match: ec2-instance-connect"), "\(personality): \(byName)")
                let elsewhere = try await Self.ssh(fixture, instance, "sudo -n dnf -y install https://example.com/ec2-instance-connect.rpm")
                #expect(elsewhere.status == 1 && elsewhere.stderr.contains("Could not resolve host: example.com"), "\(personality)")

                let commands = HostCommands.commands(for: .installPublished(.dnf, rpm), useSudo: true)
                #expect(commands.count == 1)
                for command in commands {
                    let result = try await Self.ssh(fixture, instance, command.text)
                    #expect(result.status == 0, "\(personality): \(result)")
                }
                let query = try await Self.ssh(fixture, instance, "rpm -q ec2-instance-connect ec2-instance-connect-selinux")
                #expect(query.stdout == "ec2-instance-connect-1.1-19.noarch\nec2-instance-connect-selinux-1.1-1.noarch\n", "\(personality)")
                let files = instance.rootDirectory
                let sshdConfigD = files + "/etc/ssh/sshd_config.d/60-ec2-instance-connect.conf"
                let dropIn = files + "/lib/systemd/system/sshd.service.d/ec2-instance-connect.conf"
                #expect(FileManager.default.fileExists(atPath: sshdConfigD) == (rpm == .el9), "\(personality)")
                #expect(FileManager.default.fileExists(atPath: dropIn) == (rpm == .el8), "\(personality)")

                // What eicsetup sees: EIC's command, whichever way the release configured it.
                let inspect = try await CLIRunner.run(["inspect", "--host", instance.ipAddress, "--user", instance.loginUser,
                                                       "--known-hosts", fixture.state.knownHostsPath,
                                                       "--identity-file", fixture.state.fleetKeyPath, "--json"],
                                                      environment: ProcessInfo.processInfo.environment.filter { $0.key != "SSH_AUTH_SOCK" })
                #expect(inspect.status == 0, "\(personality): \(inspect.stderr)")
                #expect(inspect.stdout.contains("\"classification\" : \"eic\"") || inspect.stdout.contains("\"classification\":\"eic\""),
                        "\(personality): \(inspect.stdout)")

                // Installing again changes nothing.
                let again = try await Self.ssh(fixture, instance, commands[0].text)
                #expect(again.status == 0 && again.stdout.contains("Nothing to do."), "\(personality): \(again)")
            }
        }
    }

    @Test func ubuntu2404sSSHDIsSocketActivated() async throws {
        try await SandboxFixture.with(["ubuntu-24.04"], subnet: 65) { fixture in
            let instance = try #require(fixture.instance("ubuntu-24.04"))
            let units = try await Self.ssh(fixture, instance,
                                           "systemctl is-active ssh.socket; systemctl is-enabled ssh.socket; systemctl is-enabled ssh; systemctl status ssh")
            #expect(units.stdout.hasPrefix("active\nenabled\ndisabled\n"), "\(units.stdout)")
            #expect(units.stdout.contains("TriggeredBy: ● ssh.socket"), "\(units.stdout)")

            // Stopping the service: systemd warns that ssh.socket still listens, and the next login works.
            let stop = try await Self.ssh(fixture, instance, "sudo -n systemctl stop ssh")
            #expect(stop.status == 0 && stop.stderr.contains("its triggering units are still active"), "\(stop)")
            let next = try await Self.ssh(fixture, instance, "systemctl is-active ssh")
            #expect(next.status == 0 && next.stdout == "active\n", "\(next)")

            // With the socket stopped too, sshd stops like anywhere else: no more logins.
            _ = try await Self.ssh(fixture, instance, "sudo -n systemctl stop ssh.socket; sudo -n systemctl stop ssh")
            let refused = try await Self.ssh(fixture, instance, "true")
            #expect(refused.status != 0, "sshd still answers with ssh.socket and ssh.service stopped")
        }
    }
}
