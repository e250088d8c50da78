import EICCore
import EICSSH
import Foundation
import Testing

/// The real probe over real SSH against sshd's running in private mount namespaces, where temporary
/// /etc/ssh, /etc/systemd/system (and for Ubuntu /etc/os-release and dpkg-query) are bind-mounted
/// over the system paths: the probe reads exactly what it would read on such a host.
@Suite struct InspectLiveTests {
    static let eicAL2 = "/opt/aws/bin/eic_run_authorized_keys %u %f"
    static let eicUbuntu = "/usr/share/ec2-instance-connect/eic_run_authorized_keys %u %f"

    static func inspect(_ sshd: TestSSHD) async throws -> HostFacts {
        let connection = try await SSHConnection.open(sshd.options(identity: .keyFile(path: TestKeys.shared.ed25519),
                                                                   knownHosts: sshd.directory + "/known_hosts"))
        return try await HostInspector.inspect(connection)
    }

    static var localOSRelease: [String: String] {
        let text = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return values
    }

    @Test func noCommandAnywhere() async throws {
        let sshd = try await TestSSHD.started(mounts: ["/etc/systemd/system": directoryMount([:])])
        defer { sshd.stop() }
        let facts = try await Self.inspect(sshd)
        #expect(facts.osID == Self.localOSRelease["ID"])
        #expect(facts.osVersion == Self.localOSRelease["VERSION_ID"])
        #expect(facts.packageManager == .apt)
        #expect(facts.package == PackageState(installed: false, version: nil, queriedWith: "dpkg"))
        #expect(facts.effective.source == .sshdT)
        #expect(facts.effective.command == nil)
        #expect(facts.classification == .none)
        #expect(facts.settings.isEmpty)
    }

    @Test func eicCommandInSSHDConfig() async throws {
        let sshd = try await TestSSHD.started(extraConfig: "AuthorizedKeysCommand \(Self.eicAL2)\nAuthorizedKeysCommandUser ec2-instance-connect",
                                mounts: ["/etc/systemd/system": directoryMount([:])])
        defer { sshd.stop() }
        let facts = try await Self.inspect(sshd)
        #expect(facts.effective.command == Self.eicAL2)
        #expect(facts.effective.user == "ec2-instance-connect")
        #expect(facts.effective.source == .sshdT)
        #expect(facts.classification == .eic)
        #expect(facts.settings.map(\.file) == ["/etc/ssh/sshd_config", "/etc/ssh/sshd_config"])
        #expect(facts.settings.first?.line == 9)
    }

    @Test func eicCommandInASystemdDropInOnUbuntu() async throws {
        let dropIn = """
            [Service]
            ExecStart=
            ExecStart=/usr/sbin/sshd -D -o "AuthorizedKeysCommand /usr/share/ec2-instance-connect/eic_run_authorized_keys %%u %%f" -o "AuthorizedKeysCommandUser ec2-instance-connect" $SSHD_OPTS
            """
        let osRelease = "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n"
        let dpkgQuery = "#!/bin/sh\nprintf 'ii  1.1.14-0ubuntu1.1'\n"
        let sshd = try await TestSSHD.started(mounts: [
            "/etc/systemd/system": directoryMount(["ssh.service.d/ec2-instance-connect.conf": dropIn]),
            "/etc/os-release": osRelease,
            "/usr/bin/dpkg-query": dpkgQuery,
        ])
        defer { sshd.stop() }
        let facts = try await Self.inspect(sshd)
        #expect(facts.osID == "ubuntu")
        #expect(facts.osVersion == "22.04")
        #expect(facts.package == PackageState(installed: true, version: "1.1.14-0ubuntu1.1", queriedWith: "dpkg"))
        #expect(facts.effective.command == Self.eicUbuntu)
        #expect(facts.effective.user == "ec2-instance-connect")
        #expect(facts.effective.fromSystemdOption)
        #expect(facts.classification == .eic)
        let file = "/etc/systemd/system/ssh.service.d/ec2-instance-connect.conf"
        #expect(facts.settings.contains(CommandSetting(file: file, line: 3, keyword: "AuthorizedKeysCommand",
                                                       value: Self.eicUbuntu, origin: .systemdOption, inMatchBlock: false)))
    }

    @Test func foreignCommandInAnIncludedFileIsAConflict() async throws {
        let sshd = try await TestSSHD.started(extraConfig: "Include /etc/ssh/sshd_config.d/*.conf",
                                mounts: ["/etc/systemd/system": directoryMount([:])],
                                etcSSHFiles: ["sshd_config.d/60-keys.conf":
                                    "# from our LDAP team\nAuthorizedKeysCommand /usr/local/bin/fetch-keys %u\nAuthorizedKeysCommandUser nobody\n"])
        defer { sshd.stop() }
        let facts = try await Self.inspect(sshd)
        #expect(facts.effective.command == "/usr/local/bin/fetch-keys %u")
        #expect(facts.classification == .conflict)
        #expect(facts.settings.first == CommandSetting(file: "/etc/ssh/sshd_config.d/60-keys.conf", line: 2,
                                                       keyword: "AuthorizedKeysCommand", value: "/usr/local/bin/fetch-keys %u",
                                                       origin: .sshdConfig, inMatchBlock: false))
    }
}
