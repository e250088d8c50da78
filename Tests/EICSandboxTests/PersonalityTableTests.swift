import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// sandbox/personalities.tsv and its images: read, checked with errors that name the line, and turned
/// into `--mix` / `--personalities` choices.
@Suite struct PersonalityTableTests {
    static let header = "# name image package sshd host_key sudo foreign_akc agent mixes\n"

    /// A scratch repository layout: `rows` as the table, one good image `img` (plus `images`).
    static func table(_ rows: String, images: [String: String] = [:]) throws -> (table: String, images: String) {
        let root = NSTemporaryDirectory() + "personality-table-\(UUID().uuidString.prefix(8))"
        var all = ["img": Self.imageEnv()]
        all.merge(images) { $1 }
        for (name, env) in all {
            let directory = root + "/images/" + name
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try env.write(toFile: directory + "/image.env", atomically: true, encoding: .utf8)
            try "ID=test\n".write(toFile: directory + "/os-release", atomically: true, encoding: .utf8)
            try "UsePAM yes\n".write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
        }
        try (header + rows).write(toFile: root + "/personalities.tsv", atomically: true, encoding: .utf8)
        return (root + "/personalities.tsv", root + "/images")
    }

    static func imageEnv(dropping key: String? = nil, extra: String = "") -> String {
        ["AMI_NAME=\"test-ami\"", "AMI_DESCRIPTION=\"Test AMI\"", "FAMILY=\"al2\"", "LOGIN_USER=\"ec2-user\"",
         "LOGIN_GECOS=\"EC2 Default User\"", "UNIT=\"sshd\"", "PACKAGE_CANDIDATE=\"1.1-19.amzn2\"", "OPENSSH_VERSION=\"7.4p1\""]
            .filter { key == nil || !$0.hasPrefix(key! + "=") }.joined(separator: "\n") + "\n" + extra
    }

    static func load(_ rows: String, images: [String: String] = [:]) throws -> PersonalityTable {
        let paths = try table(rows, images: images)
        return try PersonalityTable.load(tablePath: paths.table, imagesDirectory: paths.images)
    }

    /// The error `load` throws for `rows`, as the user reads it.
    static func error(_ rows: String, images: [String: String] = [:]) throws -> String {
        do {
            _ = try load(rows, images: images)
        } catch {
            return "\(error)"
        }
        Issue.record("the table loaded, but an error was expected")
        return ""
    }

    @Test func theRepositoryTableLoadsAndUsesEveryImageDirectory() throws {
        let table = try PersonalityTable.load(repository: RepositoryPaths.root.path)
        #expect(table.personalities.count >= 12)
        #expect(table.mixes["default"]?.map(\.name) == table.names)
        let imagesDirectory = RepositoryPaths.root.appendingPathComponent("sandbox/instance/images").path
        let directories = try FileManager.default.contentsOfDirectory(atPath: imagesDirectory)
        #expect(Set(directories) == Set(table.personalities.map(\.image.name)), "an image directory no row uses")
        for row in table.personalities {
            #expect(!row.image.amiName.isEmpty && ["ec2-user", "ubuntu"].contains(row.image.loginUser), "\(row.name)")
        }
    }

    @Test func mixesAreTheRowsThatNameThemInTableOrder() throws {
        let table = try Self.load("""
            a  img  -             up     kept      nopasswd  -            none     small,odd
            b  img  1.1-19.amzn2  down   replaced  password  sshd_config  offline  -
            c  img  -             nokey  kept      nopasswd  include      online   odd
            """)
        #expect(table.names == ["a", "b", "c"])
        #expect(table.mixes.mapValues { $0.map(\.name) } == ["default": ["a", "b", "c"], "small": ["a"], "odd": ["a", "c"]])
        let b = try table.personality(named: "b")
        #expect(b.package == "1.1-19.amzn2" && !b.isReachable && !b.runsSSHD && b.hostKey == .replaced && b.sudo == .password
                && b.foreignKeysCommand == .sshdConfig && b.agent == .offline)
        // nokey: sshd runs (the verifier reaches tcp/22) but the operator's launch key gets no login.
        let c = try table.personality(named: "c")
        #expect(c.runsSSHD && !c.isReachable && c.agent == .online)
        #expect(try table.plan(count: 5, mix: "odd", counts: nil) == ["a", "c", "a", "c", "a"])
        #expect(try table.plan(count: nil, mix: nil, counts: "c=2,a=1") == ["c", "c", "a"])
        #expect(try table.plan(count: nil, mix: nil, counts: nil) == ["a", "b", "c"])
        #expect(throws: SandboxError.self) { try table.plan(count: 4, mix: nil, counts: "a=1") }
        #expect(throws: SandboxError.self) { try table.plan(count: nil, mix: "odd", counts: "a=1") }
        #expect(throws: SandboxError.self) { try table.plan(count: 0, mix: nil, counts: nil) }
        do {
            _ = try table.plan(count: nil, mix: nil, counts: "z=1")
            Issue.record("an unknown personality was accepted")
        } catch {
            #expect("\(error)".contains("names: a, b, c"))
        }
    }

    @Test func aMalformedRowIsRefusedWithItsLine() throws {
        let good = "a  img  -  up  kept  nopasswd  -  none  -\n"
        let cases: [(rows: String, images: [String: String], says: String)] = [
            (good + "b img - up kept\n", [:], "personalities.tsv:3: 5 columns, want 9"),
            (good + "b img - sideways kept nopasswd - none -\n", [:], "personalities.tsv:3: sshd is 'sideways', want up | down | nokey"),
            (good + "b img - up kept sometimes - none -\n", [:], "sudo is 'sometimes', want nopasswd | password"),
            (good + "b img - up kept nopasswd elsewhere none -\n", [:], "foreign_akc is 'elsewhere'"),
            (good + "a img - up kept nopasswd - none -\n", [:], "personalities.tsv:3: 'a' appears twice"),
            (good + "b;rm img - up kept nopasswd - none -\n", [:], "name 'b;rm' may hold only"),
            (good + "b img 1.0$(id) up kept nopasswd - none -\n", [:], "is not a version"),
            (good + "b img - up kept nopasswd - none default\n", [:], "mix 'default' is not a mix name"),
            (good + "b img - up kept nopasswd - maybe -\n", [:], "agent is 'maybe', want online | offline | none"),
            (good + "b nowhere - up kept nopasswd - none -\n", [:], "image nowhere: cannot read"),
            (good + "b bad - up kept nopasswd - none -\n", ["bad": Self.imageEnv(dropping: "LOGIN_USER")], "image.env does not set LOGIN_USER"),
            (good + "b bad - up kept nopasswd - none -\n", ["bad": Self.imageEnv(extra: "EXTRA=\"$(id)\"\n")], "the value of EXTRA holds"),
            (good + "b bad - up kept nopasswd - none -\n", ["bad": Self.imageEnv().replacingOccurrences(of: "al2", with: "arch")],
             "FAMILY is 'arch', want al2 | al2023 | el | ubuntu"),
            ("# only comments\n", [:], "has no rows"),
        ]
        for (rows, images, says) in cases {
            let message = try Self.error(rows, images: images)
            #expect(message.contains(says), "\(rows): \(message)")
            #expect(message.hasPrefix("personality table: "), "\(message)")
        }
    }

    @Test func aTableSavedWithCRLFLineEndsReadsTheSame() throws {
        let table = try Self.load("a img - up kept nopasswd - none small\r\nb img - down kept nopasswd - none -\r\n")
        #expect(table.names == ["a", "b"] && table.mixes["small"]?.map(\.name) == ["a"])
        #expect(try Self.error("a img - up kept nopasswd - none -\r\nb img - up\r\n").contains("personalities.tsv:3: 4 columns"))
    }

    @Test func imageKeysBeyondTheRequiredOnesAreKept() throws {
        let table = try Self.load("a img 1.1-12.amzn2 up kept nopasswd - none -\n",
                                  images: ["img": Self.imageEnv(extra: "NEW_FACT=\"42\"\n")])
        let image = try table.personality(named: "a").image
        #expect(image.values["NEW_FACT"] == "42" && image.values["FAMILY"] == "al2" && image.amiName == "test-ami")
    }
}
