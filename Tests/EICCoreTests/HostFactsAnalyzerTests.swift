import Testing
@testable import EICCore

@Suite struct HostFactsAnalyzerTests {
    static let eic = "/opt/aws/bin/eic_run_authorized_keys %u %f"

    static func facts(_ output: String) throws -> HostFacts {
        HostFactsAnalyzer.facts(from: try ProbeOutputParser.parse(output))
    }

    @Test func amazonLinuxPreconfiguredFromSSHDT() throws {
        let facts = try Self.facts(HostProbeFixture.output(
            package: "rpm ii 1.1-19.amzn2",
            sshdT: ("sudo", 0, "authorizedkeyscommand \(Self.eic)\nauthorizedkeyscommanduser ec2-instance-connect\n"),
            configs: [("/etc/ssh/sshd_config", "AuthorizedKeysCommand \(Self.eic)\nAuthorizedKeysCommandUser ec2-instance-connect\n")]))
        #expect(facts.osID == "amzn")
        #expect(facts.osVersion == "2")
        #expect(facts.packageManager == .yum)
        #expect(facts.package == PackageState(installed: true, version: "1.1-19.amzn2", queriedWith: "rpm"))
        #expect(facts.effective == EffectiveCommand(command: Self.eic, user: "ec2-instance-connect", source: .sshdT, fromSystemdOption: false))
        #expect(facts.classification == .eic)
        #expect(facts.settings.count == 2)
    }

    @Test func sudoWantingAPasswordFallsBackToTheFilesAndSaysSo() throws {
        let main = "# comment\nInclude /etc/ssh/sshd_config.d/*.conf\nAuthorizedKeysCommand \(Self.eic)\n"
        let facts = try Self.facts(HostProbeFixture.output(
            sshdT: ("sudo", 1, "sudo: a password is required\n"),
            configs: [("/etc/ssh/sshd_config", main),
                      ("/etc/ssh/sshd_config.d/10-ldap.conf", "AuthorizedKeysCommand=/usr/bin/sss_ssh_authorizedkeys\n")]))
        // Include comes first, and the first value wins: the Included foreign command is effective.
        #expect(facts.effective.command == "/usr/bin/sss_ssh_authorizedkeys")
        #expect(facts.effective.source == .files)
        #expect(facts.classification == .conflict)
        #expect(facts.notes.first?.contains("sudo needs a password") == true)
        #expect(facts.settings.map(\.line) == [3, 1])
    }

    @Test func foreignCommandInAMatchBlockIsStillAConflict() throws {
        let facts = try Self.facts(HostProbeFixture.output(
            sshdT: ("root", 0, "authorizedkeyscommand \(Self.eic)\nauthorizedkeyscommanduser ec2-instance-connect\n"),
            configs: [("/etc/ssh/sshd_config", "AuthorizedKeysCommand \(Self.eic)\nMatch User deploy\n  AuthorizedKeysCommand /usr/local/bin/keys %u\n")]))
        #expect(facts.classification == .conflict)
        #expect(facts.settings.last?.inMatchBlock == true)
    }

    @Test func systemdDropInsApplyInOrderAndWinOverSSHDT() throws {
        let unit = "[Service]\nExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n"
        let packageDropIn = """
            [Service]
            ExecStart=
            ExecStart=/usr/sbin/sshd -D -o "AuthorizedKeysCommand /usr/share/ec2-instance-connect/eic_run_authorized_keys %%u %%f" \\
              -o "AuthorizedKeysCommandUser ec2-instance-connect" $SSHD_OPTS
            """
        let facts = try Self.facts(HostProbeFixture.output(
            osRelease: "ID=ubuntu\nVERSION_ID=\"20.04\"\n", tools: "apt-get dpkg-query sudo", package: "dpkg ii 1.1.12-0ubuntu1",
            units: [("/etc/systemd/system/ssh.service.d/ec2-instance-connect.conf", packageDropIn),
                    ("/lib/systemd/system/ssh.service", unit)]))
        #expect(facts.effective.command == "/usr/share/ec2-instance-connect/eic_run_authorized_keys %u %f")
        #expect(facts.effective.user == "ec2-instance-connect")
        #expect(facts.effective.fromSystemdOption)
        #expect(facts.classification == .eic)
        #expect(facts.packageManager == .apt)
        #expect(facts.package.version == "1.1.12-0ubuntu1")
    }

    @Test func aLaterEmptyExecStartClearsTheOptions() throws {
        let first = "[Service]\nExecStart=\nExecStart=/usr/sbin/sshd -D -oAuthorizedKeysCommand=/bin/foreign\n"
        let second = "[Service]\nExecStart=\nExecStart=/usr/sbin/sshd -D\n"
        let facts = try Self.facts(HostProbeFixture.output(
            units: [("/etc/systemd/system/ssh.service.d/50-a.conf", first), ("/usr/lib/systemd/system/ssh.service.d/60-b.conf", second)]))
        #expect(facts.effective.command == nil)
        #expect(!facts.effective.fromSystemdOption)
        // Overridden, but still somewhere sshd could read it: reported as a conflict, never overwritten.
        #expect(facts.classification == .conflict)
    }

    @Test func dpkgStatesAndMissingTools() {
        #expect(HostFactsAnalyzer.package(["dpkg", "un"]) == PackageState(installed: false, version: nil, queriedWith: "dpkg"))
        #expect(HostFactsAnalyzer.package(["dpkg", "rc", "1.1.10"]).installed == false)
        #expect(HostFactsAnalyzer.package(["dpkg"]).installed == false)
        #expect(HostFactsAnalyzer.package(["none"]).queriedWith == nil)
    }
}

@Suite struct HostProbeParserTests {
    @Test func refusesTruncatedOrForeignOutput() {
        #expect(throws: HostError.self) { try ProbeOutputParser.parse(HostProbeFixture.output(end: false)) }
        #expect(throws: HostError.self) { try ProbeOutputParser.parse("Last login: yesterday\n") }
        #expect(throws: HostError.self) { try ProbeOutputParser.parse("@@EIC begin 9\n@@EIC end\n") }
        #expect(throws: HostError.self) { try ProbeOutputParser.parse("@@EIC begin 1\n@@EIC os-release\n!!notbase64\n@@EIC end\n") }
    }

    @Test func fileBodiesCannotForgeTags() throws {
        let evil = "@@EIC end\n@@EIC config /etc/shadow\n"
        let report = try ProbeOutputParser.parse(HostProbeFixture.output(configs: [("/etc/ssh/sshd_config", evil)]))
        #expect(report.configs.count == 1)
        #expect(report.configs[0].body == evil)
    }

    @Test func readsSectionsAndIgnoresUnknownTags() throws {
        let output = HostProbeFixture.output().replacingOccurrences(of: "@@EIC end", with: "@@EIC future thing\n@@EIC end")
        let report = try ProbeOutputParser.parse(output)
        #expect(report.tools == ["yum", "rpm", "sudo"])
        #expect(report.sshdTVia == "sudo")
        #expect(report.sshdTStatus == 0)
        #expect(report.osRelease.contains("amzn"))
    }

    @Test func probeIsOneReadOnlyShellCommand() {
        let text = HostProbe.command.text
        #expect(text.hasPrefix("sh -c '"))
        // Nothing in the probe writes, installs or restarts.
        for verb in ["rm ", "apt-get install", "yum install", "restart", "tee ", "> /", ">/etc", "sed -i", "mv ", "cp "] {
            #expect(!HostProbe.script.contains(verb), "probe contains \(verb)")
        }
    }

    @Test func systemdTokenizerHandlesQuotesAndPercent() {
        #expect(SystemdUnitOptions.tokenize(#"/usr/sbin/sshd -D -o "A B %%u" 'c d' e\ f"#) == ["/usr/sbin/sshd", "-D", "-o", "A B %u", "c d", "e f"])
    }

    @Test func globMatchesLikeSSHDInclude() {
        #expect(Glob.matches("/etc/ssh/sshd_config.d/*.conf", "/etc/ssh/sshd_config.d/50-x.conf"))
        #expect(!Glob.matches("/etc/ssh/sshd_config.d/*.conf", "/etc/ssh/sshd_config.d/sub/x.conf"))
        #expect(Glob.matches("/etc/ssh/[a-c]?.conf", "/etc/ssh/b1.conf"))
    }
}
