import Testing
@testable import EICCore

/// Package versions order the way the package manager that reported them orders them: dpkg for
/// Ubuntu, rpm for Amazon Linux. Each case says which documented rule it shows; the sources are
/// deb-version(7) / Debian Policy §5.6.12 with dpkg's own table (scripts/t/Dpkg_Version.t), and rpm's
/// tests/rpmvercmp.at. Every dpkg row was also checked with `dpkg --compare-versions`.
@Suite struct PackageVersionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var a: String
        var b: String
        /// -1, 0 or 1: how a compares to b.
        var order: Int
        /// The rule this pair shows.
        var rule: String
        var testDescription: String { "\(a) \(order < 0 ? "<" : order > 0 ? ">" : "=") \(b): \(rule)" }
        init(_ a: String, _ b: String, _ order: Int, _ rule: String) {
            self.a = a
            self.b = b
            self.order = order
            self.rule = rule
        }
    }

    static let dpkg: [Case] = [
        // The cases eicsetup meets.
        Case("1.1-12", "1.1-18", -1, "revisions compare numerically after equal upstream versions"),
        Case("1.1.12.0-0ubuntu3~20.04.1", "1.1.12.0-0ubuntu3", -1, "~ sorts before the end of the string (backport < release)"),
        Case("1.1.12.0-0ubuntu3~20.04.1", "1.1-18", 1, "upstream 1.1.12.0 > 1.1 decides before the revision"),
        Case("1.1.14-0ubuntu1.1", "1.1-18", 1, "upstream decides first, whatever the revision"),
        Case("1.0~rc1", "1.0", -1, "~ sorts before everything, even the end: a pre-release is older"),
        // Epochs (deb-version(7): epoch first, missing means 0).
        Case("1:1.0-1", "2.0-1", 1, "a higher epoch wins over any upstream version"),
        Case("2:2.5", "1:7.5", 1, "epochs compare numerically before anything else (Dpkg_Version.t)"),
        Case("1", "0:1", 0, "a missing epoch is 0 (Dpkg_Version.t)"),
        Case("0", "0:0-0", 0, "epoch 0 and revision 0 are the defaults (Dpkg_Version.t)"),
        // Digits: numeric value, leading zeros ignored.
        Case("1.0000-1", "1.0-1", 0, "digit runs compare as numbers: leading zeros do not count (Dpkg_Version.t)"),
        Case("1.09", "1.9", 0, "09 is 9 (Dpkg_Version.t)"),
        Case("0foo2.0", "0foo2.10", -1, "10 > 0 numerically, not textually (Dpkg_Version.t)"),
        Case("53", "52", 1, "plain numbers (Dpkg_Version.t)"),
        // Non-digits: letters before non-letters, ~ before all, end of string before letters.
        Case("0foo.bar", "0foobar", 1, "a non-letter (.) sorts after a letter (Dpkg_Version.t)"),
        Case("0foo", "0fo", 1, "the end of the string sorts before a letter (Dpkg_Version.t)"),
        Case("0foo~1", "0foo", -1, "~ before the end (Dpkg_Version.t)"),
        Case("0foo~~", "0foo~", -1, "~~ before ~ (Dpkg_Version.t)"),
        Case("1~", "1", -1, "a trailing ~ is older (Dpkg_Version.t)"),
        Case("2.2~rc-4", "2.2-1", -1, "~ in the upstream version outranks the revision (Dpkg_Version.t)"),
        Case("0foo~foo+Bar", "0foo~foo+bar", -1, "letters compare by ASCII: upper case first (Dpkg_Version.t)"),
        Case("1.0.8+nmu1", "1.0.8", 1, "+ sorts after the end: a +nmu is newer (Dpkg_Version.t)"),
        Case("3.11", "3.10+nmu1", 1, "11 > 10 before + is looked at (Dpkg_Version.t)"),
        Case("1.2.0~b7-1", "1.2.0~b6-1", 1, "compares on after equal ~ parts (Dpkg_Version.t)"),
        // The revision is split at the last hyphen.
        Case("1.1-20080727-1", "1.1-20080316-1", 1, "upstream may contain hyphens; the revision is after the last one"),
        Case("0foo-0", "0foo", 0, "a missing revision equals revision 0 (Dpkg_Version.t)"),
    ]

    static let rpm: [Case] = [
        // The cases eicsetup meets (version-release, compared separately).
        Case("1.1-12.amzn2", "1.1-18", -1, "equal versions; release 12 < 18 (numeric segment), the .amzn2 suffix never reached"),
        Case("1.1-19.amzn2", "1.1-18", 1, "release 19 > 18"),
        Case("1.1-18.amzn2", "1.1-18", 1, "equal numeric segments; the extra segment .amzn2 makes it newer"),
        Case("1.1", "1.1-18", 0, "a missing release on one side is not compared (rpm's EVR comparison)"),
        Case("1:1.0-1", "2.0-1", 1, "a higher epoch wins"),
        // tests/rpmvercmp.at
        Case("2.0", "2.0.1", -1, "more segments is newer (rpmvercmp.at)"),
        Case("2.0.1a", "2.0.1", 1, "an extra alpha segment is newer (rpmvercmp.at)"),
        Case("5.5p1", "5.5p10", -1, "numeric segments compare as numbers (rpmvercmp.at)"),
        Case("10xyz", "10.1xyz", -1, "separators only split segments; 10.1 has more (rpmvercmp.at)"),
        Case("xyz.4", "8", -1, "a numeric segment is newer than an alpha one (rpmvercmp.at)"),
        Case("6.0.rc1", "6.0", 1, "unlike dpkg, an alpha segment after the end is newer (rpmvercmp.at)"),
        Case("10b2", "10a1", 1, "alpha segments compare by strcmp (rpmvercmp.at)"),
        Case("1.0a", "1.0aa", -1, "a shorter alpha segment that is a prefix is older (rpmvercmp.at)"),
        Case("10.0001", "10.1", 0, "leading zeros are ignored (rpmvercmp.at)"),
        Case("10.0001", "10.0039", -1, "leading zeros stripped, then 1 < 39 (rpmvercmp.at)"),
        Case("4.999.9", "5.0", -1, "the first differing segment decides (rpmvercmp.at)"),
        Case("20101121", "20101122", -1, "long numbers (rpmvercmp.at)"),
        Case("2_0", "2.0", 0, "every separator is equal (rpmvercmp.at)"),
        Case("a+", "a_", 0, "separators only (RhBug:178798, rpmvercmp.at)"),
        Case("+", "_", 0, "nothing but separators is equal (rpmvercmp.at)"),
        Case("1.0~rc1", "1.0", -1, "~ sorts before everything, even the end (rpmvercmp.at)"),
        Case("1.0~rc1", "1.0~rc2", -1, "after equal ~, segments compare as usual (rpmvercmp.at)"),
        Case("1.0~rc1~git123", "1.0~rc1", -1, "a second ~ is older still (rpmvercmp.at)"),
        Case("1.0^", "1.0", 1, "^ sorts after the end (rpmvercmp.at)"),
        Case("1.0^git1", "1.0^git2", -1, "after equal ^, segments compare as usual (rpmvercmp.at)"),
        Case("1.0^git1", "1.01", -1, "^ sorts before any further segment (rpmvercmp.at)"),
        Case("1.0^20160101", "1.0.1", -1, "^ before a separator-led segment (rpmvercmp.at)"),
        Case("1.0^20160102", "1.0^20160101^git1", 1, "the segment after ^ decides first (rpmvercmp.at)"),
        Case("1.0~rc1^git1", "1.0~rc1", 1, "^ after ~: a snapshot of the rc is newer than the rc (rpmvercmp.at)"),
        Case("1.0^git1~pre", "1.0^git1", -1, "~ after ^ (rpmvercmp.at)"),
    ]

    @Test(arguments: dpkg)
    func dpkgOrder(_ item: Case) {
        #expect(PackageVersion.dpkgCompare(item.a, item.b) == item.order)
        #expect(PackageVersion.dpkgCompare(item.b, item.a) == -item.order, "not antisymmetric")
    }

    @Test(arguments: rpm)
    func rpmOrder(_ item: Case) {
        #expect(PackageVersion.rpmCompare(item.a, item.b) == item.order)
        #expect(PackageVersion.rpmCompare(item.b, item.a) == -item.order, "not antisymmetric")
    }

    @Test func theSchemeFollowsTheToolThatAnswered() {
        // The same two strings can order differently under the two schemes: a version without a release
        // equals any release for rpm, but is older than revision 18 for dpkg (a missing revision is "").
        #expect(PackageVersion("1.1", scheme: .dpkg).isOlder(than: "1.1-18"))
        #expect(!PackageVersion("1.1", scheme: .rpm).isOlder(than: "1.1-18"))
        #expect(PackageVersion.dpkgCompare("1.0+1", "1.0.1") == -1)
        #expect(PackageVersion.rpmCompare("1.0+1", "1.0.1") == 0)
        #expect(PackageVersion("1.1-12.amzn2", scheme: .rpm).isOlder(than: "1.1-18"))
        #expect(!PackageVersion("1.1-19.amzn2", scheme: .rpm).isOlder(than: "1.1-18"))
        #expect(!PackageVersion("1.1-18", scheme: .rpm).isOlder(than: "1.1-18"))
        #expect(!PackageVersion("1.1.12.0-0ubuntu3~20.04.1", scheme: .dpkg).isOlder(than: "1.1-18"))
    }

    @Test func factsPickTheSchemeFromThePackageQuery() throws {
        let ubuntu = HostFactsAnalyzer.facts(from: try ProbeOutputParser.parse(HostProbeFixture.output(
            osRelease: "ID=ubuntu\nVERSION_ID=\"20.04\"\n", tools: "apt-get dpkg-query sudo", package: "dpkg ii 1.1.12.0-0ubuntu3~20.04.1")))
        #expect(ubuntu.packageVersion?.scheme == .dpkg)
        let amazon = HostFactsAnalyzer.facts(from: try ProbeOutputParser.parse(HostProbeFixture.output(package: "rpm ii 1.1-12.amzn2")))
        #expect(amazon.packageVersion?.scheme == .rpm)
        #expect(amazon.packageVersion?.isOlder(than: "1.1-18") == true)
    }
}

/// Package minimums per distribution family (issue 22): Ubuntu's deb numbering has its own floor, so an
/// old Ubuntu package is upgraded and a current Amazon Linux one is not failed; a plan overrides per family.
@Suite struct PackageMinimumsTests {
    static func facts(_ osID: String, _ version: String, package: String, manager: PackageManager) -> HostFacts {
        HostFacts(osID: osID, osVersion: version, osPrettyName: nil, packageManager: manager, privilege: .sudo,
                  package: PackageState(installed: true, version: package, queriedWith: manager == .apt ? "dpkg-query" : "rpm"),
                  effective: EffectiveCommand(command: "/opt/aws/bin/eic_run_authorized_keys %u %f", user: "ec2-instance-connect",
                                              source: .sshdT, fromSystemdOption: false),
                  settings: [], classification: .eic, notes: [])
    }

    static func change(_ facts: HostFacts, overrides: [PackageFamily: String] = [:]) -> (Change, ActionReason) {
        let cloud = CloudInstance(instanceId: "i-0000000000000000a", state: "running", imageId: "ami-1", privateIpAddress: "10.0.0.1",
                                  publicIpAddress: nil, availabilityZone: nil, platformDetails: nil, keyName: nil, vpcId: nil,
                                  subnetId: nil, securityGroupIds: [], tags: [])
        let instance = ObservedInstance(cloud: cloud, image: nil, target: nil, host: .facts(facts))
        let section = InstancesSection(select: InstanceSelection(ids: ["i-0000000000000000a"]), minimumPackageVersions: overrides)
        let action = Planner(templates: FakeFleet.templates).instanceAction(instance, section)
        return (action.change, action.reason)
    }

    /// The minimum a too-old reason names, and what it says the minimum brings (nil: the plan's own).
    static func tooOld(_ reason: ActionReason) -> (minimum: String, fix: String?)? {
        if case .packageTooOld(_, let minimum, let fix, _) = reason { return (minimum, fix) }
        return nil
    }

    @Test func eachFamilyIsComparedWithItsOwnFloor() {
        // An Ubuntu package before the IMDSv2 release is upgraded, and the reason names what the floor brings.
        let (old, why) = Self.change(Self.facts("ubuntu", "18.04", package: "1.1.9-0ubuntu3~18.04.1", manager: .apt))
        #expect(old == .update)
        #expect(Self.tooOld(why)?.minimum == "1.1.12" && Self.tooOld(why)?.fix?.contains("IMDSv2") == true, "\(why)")
        // The archive's 1.1.12.0 and 1.1.14 meet it; Amazon Linux's 1.1-19 meets its own 1.1-18.
        #expect(Self.change(Self.facts("ubuntu", "20.04", package: "1.1.12.0-0ubuntu3~20.04.1", manager: .apt)).0 == .noOp)
        #expect(Self.change(Self.facts("ubuntu", "22.04", package: "1.1.14-0ubuntu1.1", manager: .apt)).0 == .noOp)
        #expect(Self.change(Self.facts("amzn", "2", package: "1.1-19.amzn2", manager: .yum)).0 == .noOp)
        let (al2, al2Why) = Self.change(Self.facts("amzn", "2", package: "1.1-12.amzn2", manager: .yum))
        #expect(al2 == .update && Self.tooOld(al2Why)?.fix?.contains("status-22 fix") == true, "\(al2Why)")
    }

    @Test func aPlanOverridesOneFamilyAndKeepsTheOther() {
        let overrides: [PackageFamily: String] = [.ubuntu: "1.1.14"]
        let (ubuntu, why) = Self.change(Self.facts("ubuntu", "20.04", package: "1.1.12.0-0ubuntu3~20.04.1", manager: .apt), overrides: overrides)
        #expect(ubuntu == .update)
        #expect(why == .packageTooOld(installed: "1.1.12.0-0ubuntu3~20.04.1", minimum: "1.1.14", fix: nil, distribution: .ubuntu(major: 20, minor: 4)),
                "\(why)")
        #expect(Self.change(Self.facts("amzn", "2", package: "1.1-19.amzn2", manager: .yum), overrides: overrides).0 == .noOp)
    }

    @Test func thePlanFileTakesAStringOrAnObjectPerFamily() throws {
        func minimums(_ value: String) throws -> [PackageFamily: String]? {
            try PlanDecoder(environment: [:]).decode(#"{"version": 1, "instances": {"select": {"ids": ["i-0123456789abcdef0"]}, "minimumPackageVersion": \#(value)}}"#,
                                                     file: "plan.json").instances?.minimumPackageVersions
        }
        #expect(try minimums(#""1.1-19""#) == [.amazonLinux: "1.1-19"])
        #expect(try minimums(#"{"ubuntu": "1.1.14", "amazon-linux": "1.1-19"}"#) == [.ubuntu: "1.1.14", .amazonLinux: "1.1-19"])
        #expect(throws: PlanError.self) { try minimums(#"{"debian": "1.0"}"#) }
        #expect(throws: PlanError.self) { try minimums(#"{"ubuntu": "latest"}"#) }
    }
}
