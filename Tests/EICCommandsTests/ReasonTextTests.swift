import EICTestSupport
import Foundation
import Testing
@testable import EICCommands
@testable import EICCore

/// The words for every typed reason, state and outcome: exactly the sentences the core built before
/// the plan became data (the golden files cover a few; this covers each case once).
@Suite struct ReasonTextTests {
    static let user = PrincipalRef(kind: .user, name: "eic-user")
    static let rule = IngressPermission(fromPort: 22, toPort: 22, source: .cidrIpv4("203.0.113.7/32"), description: "operator")
    static let bannerMessage = """
        @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
        @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
        IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
          Offending ED25519 key in /root/.ssh/known_hosts:7  
        Host key verification failed.
        """

    /// One of each reason (and of each kind of problem, source and connection failure), with its sentence.
    static let reasons: [(ActionReason, String)] = [
        (.policyAbsent(name: "P", account: "123456789012", parts: 1), "no policy named P in account 123456789012"),
        (.policyAbsent(name: "P-2", account: "123456789012", parts: 3),
         "no policy named P-2 in account 123456789012 (one of 3 parts: by instance ARN the policy would pass IAM's 6,144-character quota)"),
        (.policyCurrent(version: "v1", parts: 1), "version v1 already says this"),
        (.policyForeign(name: "P"),
         "a policy named P exists that eicsetup did not create (no managed-by=eicsetup tag) and says something else; eicsetup leaves it "
            + "alone. Rename the plan's policy, or set \"adopt\": true on it to take it over (a new default version; the oldest may be deleted)"),
        (.policyDiffers(version: "v1", prune: nil, parts: 1), "the default version v1 differs from the plan; a new default version will be created"),
        (.policyDiffers(version: "v5", prune: "v2", parts: 2),
         "the default version v5 differs from the plan; a new default version will be created (the oldest non-default version v2 is "
            + "deleted to stay within IAM's limit of 5) (one of 2 parts: by instance ARN the policy would pass IAM's 6,144-character quota)"),
        (.policyUnwritable(.noInstances), "the plan selects no instances, so a policy by instance ARN would allow nothing"),
        (.policyUnwritable(.tooLarge(7000)),
         "the policy by instance ARN would be 7000 characters, over IAM's 6144; select by tag instead (\"instances\": {\"tags\": {...}})"),
        (.policyUnwritable(.template("the policy template is not valid JSON (x)")), "the policy template is not valid JSON (x)"),
        (.policyUnwritable(.nameTooLong("P-2")), "the part P-2 would pass IAM's 128-character policy name limit; shorten the policy name or select by tag"),
        (.principalMissing(PrincipalRef(kind: .role, name: "ops")),
         "role ops does not exist; eicsetup attaches policies but never creates users, groups or roles"),
        (.policyAttached(policy: "P", principal: Self.user), "P is already attached to user eic-user"),
        (.policyNotAttached(policy: "P", principal: Self.user), "P is not attached to user eic-user"),
        (.attachmentQuota(principal: Self.user, attached: 10, limit: 10),
         "user eic-user would have more than 10 managed policies (IAM's limit; it has 10); detach one yourself, attach to a group, "
            + "or select by tag so one policy suffices"),
        (.foreignPolicyNotAttached(policy: "P"), "P is another team's policy (see above); it is not attached"),
        (.groupMissing(groupId: "sg-1"), "security group sg-1 was not found; check the id and the region"),
        (.ruleCovered(ruleId: "sgr-1"), "rule sgr-1 already allows it"),
        (.ruleMissing(Self.rule), "inbound tcp/22 from 203.0.113.7/32 is not allowed yet"),
        (.sourceUnresolved(.operatorAddressUnknown), "your public address is unknown"),
        (.sourceUnresolved(.ipRangesNotRead), "ip-ranges.json was not read"),
        (.sourceUnresolved(.prefixListMissing(name: "com.amazonaws.us-east-1.ec2-instance-connect", region: "us-east-1")),
         "no managed prefix list named com.amazonaws.us-east-1.ec2-instance-connect in us-east-1"),
        (.ruleQuota(groupId: "sg-1", family: .ipv4, existing: 10, added: 51, limit: 60, region: "us-east-1"),
         "security group sg-1 would have 61 inbound IPv4 rules (it has 10, the plan adds 51), over AWS's quota of 60 per group; none of "
            + "them is added. Use the prefix list com.amazonaws.us-east-1.ec2-instance-connect (one rule), or raise the quota first"),
        (.notContacted(.notRunning(state: "stopped")), "not contacted: the instance is stopped, not running"),
        (.notContacted(.noAddress(publicIP: true)), "not contacted: it has no a public IP"),
        (.notContacted(.noFleetKey), "not contacted: not probed (no fleet key)"),
        (.agentUnavailable(nil),
         "SSM Run Command cannot reach it: no SSM agent is registered for it (no instance profile with AmazonSSMManagedInstanceCore, "
            + "the agent is not installed, or it cannot reach the SSM endpoints)"),
        (.agentUnavailable(.connectionLost),
         "SSM Run Command cannot reach it: its SSM agent is registered but has lost its connection (PingStatus ConnectionLost): the "
            + "instance may be stopped or cannot reach the ssm, ssmmessages and ec2messages endpoints"),
        (.agentUnavailable(.inactive), "SSM Run Command cannot reach it: its SSM agent is registered but Inactive (PingStatus Inactive)"),
        (.probeFailed(error: "boom"), "logged in, but the read-only probe failed: boom"),
        (.unreachable(transport: .ssm, target: "ssm:i-1", kind: .unreachable, message: "ConnectionLost"),
         "SSM Run Command cannot reach it: ConnectionLost"),
        (.unreachable(transport: .ssh, target: "ec2-user@10.0.0.1:22", kind: .hostKeyChanged, message: Self.bannerMessage),
         "host key refused at ec2-user@10.0.0.1:22: it differs from known_hosts (Offending ED25519 key in /root/.ssh/known_hosts:7) — "
            + "possibly a man-in-the-middle; eicsetup never accepts a changed key"),
        (.unreachable(transport: .ssh, target: nil, kind: .hostKeyChanged, message: "changed"),
         "host key refused: it differs from known_hosts — possibly a man-in-the-middle; eicsetup never accepts a changed key"),
        (.unreachable(transport: .ssh, target: "u@h:22", kind: .hostKeyUnknown, message: "x"),
         "host key refused at u@h:22: not in known_hosts and hostKeys is strict (add it, or use \"hostKeys\": \"accept-new\")"),
        (.unreachable(transport: .ssh, target: "u@h:22", kind: .authentication, message: "publickey refused"), "login refused at u@h:22: publickey refused"),
        (.unreachable(transport: .ssh, target: "u@h:22", kind: .identity, message: "bad key"), "the SSH key cannot be used: bad key"),
        (.unreachable(transport: .ssh, target: "u@h:22", kind: .timeout, message: "timed out"), "SSH unreachable at u@h:22: timed out"),
        (.foreignCommand(ForeignCommand(file: "/etc/ssh/sshd_config", line: 2, command: "/usr/bin/vault %u")),
         "sshd already runs a foreign AuthorizedKeysCommand in /etc/ssh/sshd_config:2 (/usr/bin/vault %u); EIC cannot be used here and "
            + "eicsetup never overwrites it"),
        (.foreignCommand(ForeignCommand(file: nil, line: nil, command: "/usr/bin/vault %u")),
         "sshd already runs a foreign AuthorizedKeysCommand (/usr/bin/vault %u); EIC cannot be used here and eicsetup never overwrites it"),
        (.configured(.ubuntu(major: 22, minor: 4)), "EC2 Instance Connect is configured (Ubuntu 22.04); verify only"),
        (.unsupportedDistribution(.other(id: "rhel", version: "7.9")),
         "rhel 7.9 is not supported for installing ec2-instance-connect (Amazon Linux 2/2023, Ubuntu 16.04+ and RHEL-family 8/9 are)"),
        (.cannotBecomeRoot(.sudoNeedsPassword, user: "ubuntu"),
         "sudo asks ubuntu for a password, so the package cannot be installed unattended (allow NOPASSWD sudo, or log in as root)"),
        (.cannotBecomeRoot(.none, user: nil), "the login user is not root and sudo is not installed, so the package cannot be installed"),
        (.packageTooOld(installed: "1.1-12.amzn2", minimum: "1.1-18", fix: "1.1-18 brings the status-22 fix", distribution: .amazonLinux2),
         "ec2-instance-connect 1.1-12.amzn2 is older than 1.1-18 (1.1-18 brings the status-22 fix)"),
        (.packageTooOld(installed: "1.1.12.0", minimum: "1.1.14", fix: nil, distribution: .ubuntu(major: 20, minor: 4)),
         "ec2-instance-connect 1.1.12.0 is older than 1.1.14 (the plan's minimum for Ubuntu 20.04)"),
        (.packageMissing(.amazonLinux2023), "Amazon Linux 2023 has no ec2-instance-connect package"),
        (.packageNotConfiguring(installed: "1.1-19"),
         "ec2-instance-connect 1.1-19 is installed but sshd does not use its AuthorizedKeysCommand; check the package's post-install log"),
    ]

    /// Saved plans (format 4) store reasons and states as JSON: every case comes back as it was.
    @Test func reasonsAndStatesSurviveASavedPlan() throws {
        func roundTrip<T: Codable & Equatable>(_ value: T) throws -> Bool {
            try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value)) == value
        }
        for (reason, _) in Self.reasons { #expect(try roundTrip(reason), "\(reason)") }
        for (state, _) in Self.states { #expect(try roundTrip(state), "\(state)") }
    }

    @Test func reasons() {
        for (reason, sentence) in Self.reasons { #expect(ReasonText.text(reason) == sentence) }
        let banner = ActionReason.unreachable(transport: .ssh, target: nil, kind: .hostKeyChanged, message: Self.bannerMessage)
        #expect(!ReasonText.text(banner).contains("NASTY"), "only the line that says where is kept")
    }

    static let states: [(ActionState, String)] = [
        (.ingress(Self.rule), "tcp/22 from 203.0.113.7/32 \"operator\""),
        (.ingress(IngressPermission(fromPort: 22, toPort: 23, source: .prefixList("pl-1"))), "tcp/22-23 from prefix list pl-1"),
        (.policyAllows(osUsers: ["ec2-user", "ubuntu"]), "SendSSHPublicKey as ec2-user, ubuntu"),
        (.policyVersion("v3"), "version v3"),
        (.attached, "attached"),
        (.host(HostState(distribution: .amazonLinux2, packageInstalled: false, packageVersion: nil, authorizedKeysCommand: nil)),
         "Amazon Linux 2, no ec2-instance-connect, no AuthorizedKeysCommand"),
        (.host(HostState(distribution: .amazonLinux2, packageInstalled: true, packageVersion: nil, authorizedKeysCommand: "/x %u")),
         "Amazon Linux 2, ec2-instance-connect ?, AuthorizedKeysCommand /x %u"),
        (.packageInstalled(.install(.yum)), "ec2-instance-connect installed with yum; EIC's AuthorizedKeysCommand"),
        (.packageInstalled(.installPublished(.dnf, .el9)), "ec2-instance-connect installed from AWS's EL9 RPM with dnf; EIC's AuthorizedKeysCommand"),
        (.packageAtLeast(minimum: "1.1-18", .upgrade(.yum)), "ec2-instance-connect ≥ 1.1-18 (yum upgrade)"),
        (.packageAtLeast(minimum: "1.1-18", .installPublished(.dnf, .el8)), "ec2-instance-connect ≥ 1.1-18 (AWS's EL8 RPM with dnf)"),
    ]

    @Test func states() {
        for (state, text) in Self.states { #expect(ReasonText.text(state) == text) }
    }

    static let outcomes: [(OutcomeDetail, String)] = [
        (.planned(.ruleCovered(ruleId: "sgr-1")), "rule sgr-1 already allows it"),
        (.notRun, "not run"),
        (.interrupted, "not started: interrupted"),
        (.error("InjectedAccessdenied: injected fault"), "InjectedAccessdenied: injected fault"),
        (.ruleAdded(groupId: "sg-1", Self.rule), "allowed tcp/22 from 203.0.113.7/32 in sg-1"),
        (.ruleAlreadyThere(groupId: "sg-1", Self.rule), "sg-1 already allows tcp/22 from 203.0.113.7/32"),
        (.policyCreated(arn: "arn:aws:iam::1:policy/P"), "created policy arn:aws:iam::1:policy/P"),
        (.policyVersioned(name: "P", version: "v2", pruned: nil), "policy P now defaults to version v2"),
        (.policyVersioned(name: "P", version: "v6", pruned: "v1"), "policy P now defaults to version v6 (deleted its oldest version v1, IAM keeps 5)"),
        (.policyAlreadySays(name: "P"), "policy P already says this"),
        (.policyVanished(name: "P"), "policy P vanished while applying"),
        (.policyAppearedForeign(name: "P"),
         "a policy named P appeared while applying, without the managed-by=eicsetup tag: another team's; eicsetup leaves it alone (plan again to see it)"),
        (.policyAttached(arn: "arn:aws:iam::1:policy/team/P", principal: Self.user), "attached P to user eic-user"),
        (.sessionNotOpened(instanceId: "i-1", error: "refused"), "could not open an SSH session to i-1 again: refused"),
        (.sessionLost(instanceId: "i-1", error: "timed out"), "the SSH session to i-1 was lost and could not be opened again: timed out"),
        (.commandDidNotFinish(.install(.apt), error: "gone"), "apt-get did not finish: gone"),
        (.commandFailed(.install(.apt), status: 1, signal: nil, output: ["a", "E: Unable to locate package"]),
         "apt-get exited 1: a / E: Unable to locate package"),
        (.commandFailed(.upgrade(.dnf), status: nil, signal: "KILL", output: []), "dnf exited by signal KILL: "),
        (.reprobeFailed(error: "x"), "the package step ran, but the re-probe failed: x"),
        (.stillNotEIC(command: nil), "after the package step sshd still does not run EIC's AuthorizedKeysCommand (now: none)"),
        (.stillTooOld(installed: nil, minimum: "1.1-18"), "ec2-instance-connect is not installed after the package step, still older than 1.1-18"),
        (.onboarded(upgraded: true, version: "1.1-19.amzn2"), "upgraded ec2-instance-connect 1.1-19.amzn2; sshd runs EIC's AuthorizedKeysCommand"),
        (.onboarded(upgraded: false, version: "1.1.14"), "installed ec2-instance-connect 1.1.14; sshd runs EIC's AuthorizedKeysCommand"),
    ]

    @Test func outcomes() {
        for (detail, text) in Self.outcomes { #expect(ReasonText.text(detail) == text) }
    }

    @Test func verifyFindings() {
        let cases: [(VerifyFinding, VerifyResult.Diagnosis, String)] = [
            (.notRunning(state: "stopped"), .unreachable, "the instance is stopped"),
            (.noAddress, .unreachable, "the instance has no address to connect to"),
            (.accessDenied(user: "ubuntu", retriedSeconds: 30, message: "not authorized"), .noPermission,
             "SendSSHPublicKey was refused for ubuntu on this instance (AccessDenied, retried 30 s for IAM propagation): not authorized"),
            (.hostKeyChanged(message: "changed"), .hostKeyMismatch, "the host key differs from known_hosts: changed"),
            (.hostKeyUnknown(message: "new"), .hostKeyUnknown, "the host key is not in known_hosts (strict): new"),
            (.keyRefusedUnprobed(message: "refused"), .eicNotConfigured,
             "sshd refused the pushed key and the host could not be probed over the fleet key (refused)"),
            (.foreignCommand(ForeignCommand(file: "/etc/ssh/sshd_config.d/50-ldap.conf", line: 1, command: "/usr/bin/ldap %u")), .eicNotConfigured,
             "EIC is not configured: sshd already runs a foreign AuthorizedKeysCommand in /etc/ssh/sshd_config.d/50-ldap.conf:1 (/usr/bin/ldap %u); "
                + "EIC cannot be used here and eicsetup never overwrites it"),
            (.packageMissing(sudoNeedsPassword: true), .eicNotConfigured,
             "EIC is not configured: ec2-instance-connect is not installed (sudo needs a password there, so apply could not install it)"),
            (.packageMissing(sudoNeedsPassword: false), .eicNotConfigured, "EIC is not configured: ec2-instance-connect is not installed"),
            (.noAuthorizedKeysCommand, .eicNotConfigured,
             "EIC is not configured: ec2-instance-connect is installed but sshd has no AuthorizedKeysCommand"),
            (.keyExpired(seconds: 58), .keyExpired, "the pushed key expired before the login finished (58 s; keys live 60 s)"),
            (.sshdNotRestarted(message: "refused"), .eicNotConfigured,
             "sshd's configuration names EIC's command but the running sshd refused the key: sshd was probably not restarted after the install (refused)"),
            (.securityGroupClosed(groups: ["sg-1", "sg-2"], port: 22, source: "203.0.113.7/32", message: "timed out"), .securityGroup,
             "no security group of the instance (sg-1, sg-2) allows tcp/22 from 203.0.113.7/32; timed out"),
            (.noAnswer(port: 22, message: "connection refused"), .unreachable, "the host does not answer on tcp/22: connection refused"),
            (.other("boom"), .other, "boom"),
        ]
        for (finding, diagnosis, text) in cases {
            #expect(finding.diagnosis == diagnosis && ReasonText.text(finding) == text, "\(finding)")
        }
    }

    /// The `enum` a schema gives for `key` (searched anywhere in the document).
    static func schemaEnum(_ schema: String, _ key: String) throws -> Set<String> {
        let url = RepositoryPaths.root.appendingPathComponent("schema/\(schema).schema.json")
        func find(_ value: Any) -> [String]? {
            if let object = value as? [String: Any] {
                if let property = object[key] as? [String: Any], let values = property["enum"] as? [String] { return values }
                return object.values.lazy.compactMap(find).first
            }
            if let array = value as? [Any] { return array.lazy.compactMap(find).first }
            return nil
        }
        return Set(try #require(find(try JSONSerialization.jsonObject(with: Data(contentsOf: url)))))
    }

    /// Every situation has its own code, and the schemas list exactly the codes the views write.
    @Test func codesAreDistinctAndMatchTheSchemas() throws {
        let reasonCodes = Self.reasons.map { ReasonCode.code($0.0) }
        let outcomeCodes = Self.outcomes.map { ReasonCode.code($0.0) }
        // Cases that differ only in their facts (not their situation) share a code.
        #expect(Set(reasonCodes).count == 40 && Set(outcomeCodes).subtracting(reasonCodes).count == 20)
        #expect(reasonCodes.allSatisfy { $0.wholeMatch(of: /[a-z]+(_[a-z]+)*/) != nil })
        #expect(try Self.schemaEnum("plan-output", "reason_code") == Set(reasonCodes))
        #expect(try Self.schemaEnum("apply-output", "detail_code") == Set(reasonCodes + outcomeCodes))
    }
}
