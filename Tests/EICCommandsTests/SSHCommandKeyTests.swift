import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// The ephemeral private key of `eicsetup ssh` stays in memory: checked with strace (no file is opened
/// for writing), by scanning what the runs left and printed, and with --keep-key as the one exception.
@Suite struct SSHCommandKeyTests {
    /// Files the traced process opened for writing (creating, truncating) or renamed/linked into place.
    static func writtenPaths(trace: String) -> [String] {
        trace.split(separator: "\n").compactMap { line in
            let text = String(line)
            let writes = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"].contains(where: text.contains)
                || text.contains("creat(") || text.contains("rename") || text.contains("link(")
            guard writes, !text.contains("= -1 ") else { return nil }
            return text.firstMatch(of: #/"([^"]*)"/#).map { String($0.1) } ?? text
        }
    }

    /// Every regular file under `directory`, with its bytes.
    static func files(under directory: String) -> [(path: String, bytes: [UInt8])] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var result: [(String, [UInt8])] = []
        while let relative = enumerator?.nextObject() as? String {
            let path = directory + "/" + relative
            if let data = FileManager.default.contents(atPath: path) { result.append((path, Array(data))) }
        }
        return result
    }

    /// The 32-byte ed25519 seed inside an unencrypted OpenSSH private key file.
    static func seed(ofKeptKey pem: String) throws -> [UInt8] {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let binary = Array(try #require(Data(base64Encoded: body)))
        // The private section holds `string(seed ‖ public)`: a 64-byte string.
        let marker: [UInt8] = [0, 0, 0, 64]
        let start = try #require((0..<(binary.count - 68)).first { Array(binary[$0..<$0 + 4]) == marker })
        return Array(binary[(start + 4)..<(start + 36)])
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<$0 + needle.count]) == needle }
    }

    @Test func thePrivateKeyNeverTouchesDiskOrOutputUnlessKept() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 134) { fixture in
            let instance = try #require(fixture.instance("al2-current"))
            try await SSHCommandTests.grant(fixture, name: "eic-ssh-keys", instanceIds: [instance.instanceId], osUsers: ["ec2-user"])
            let home = try SSHCommandTests.scratch("keys")
            defer { try? FileManager.default.removeItem(atPath: home) }
            let environment = SSHCommandTests.environment(fixture, home: home)
            let trace = NSTemporaryDirectory() + "eic-ssh-\(UUID().uuidString.prefix(8)).strace"
            defer { try? FileManager.default.removeItem(atPath: trace) }
            let strace = ["-f", "-qq", "-e", "trace=open,openat,creat,truncate,rename,renameat,renameat2,link,linkat",
                          "-o", trace, RepositoryPaths.eicsetupBinary, "ssh", "-v",
                          "--known-hosts", fixture.state.knownHostsPath]

            // 1. A normal login: nothing is written anywhere, nothing key-like is printed.
            let plain = try await Subprocess.run("/usr/bin/strace", strace + ["ec2-user@\(instance.instanceId)", "--",
                                                                              "echo", "hello"], environment: environment)
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(plain.stdout == "hello\n")
            let plainTrace = try String(contentsOfFile: trace, encoding: .utf8)
            #expect(plainTrace.contains("openat("), "strace recorded the run")
            #expect(Self.writtenPaths(trace: plainTrace).isEmpty, "files written: \(Self.writtenPaths(trace: plainTrace))")
            #expect(!plain.all.contains("PRIVATE KEY"))
            #expect(Self.files(under: home).isEmpty, "left behind: \(Self.files(under: home).map(\.path))")

            // 2. --keep-key: exactly that file, mode 0600, a key OpenSSH uses (within the 60 s of the push).
            let kept = home + "/kept-key"
            let keep = try await Subprocess.run("/usr/bin/strace", strace + ["--keep-key", kept, "ec2-user@\(instance.instanceId)",
                                                                             "--", "echo", "kept"], environment: environment)
            #expect(keep.status == 0, "\(keep.stderr)")
            #expect(keep.stdout == "kept\n")
            #expect(Self.writtenPaths(trace: try String(contentsOfFile: trace, encoding: .utf8)) == [kept])
            let attributes = try FileManager.default.attributesOfItem(atPath: kept)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let pem = try String(contentsOfFile: kept, encoding: .utf8)
            #expect(pem.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----"))
            let login = try await OpenSSH.run(user: "ec2-user", host: instance.ipAddress, key: kept,
                                              knownHosts: fixture.state.knownHostsPath, command: "echo via-openssh")
            #expect(login.stdout == "via-openssh\n", "OpenSSH logs in with the kept key: \(login.stderr)")

            // The key's secret bytes appear nowhere else: not in the output, not in any other file.
            let seed = try Self.seed(ofKeptKey: pem)
            #expect(seed.count == 32)
            let encodings = [seed, Array(Data(seed).base64EncodedString().dropLast(4).utf8),
                             Array(seed.map { String(format: "%02x", $0) }.joined().utf8)]
            for output in [plain.all, keep.all] {
                #expect(!output.contains("PRIVATE KEY"))
                #expect(!encodings.contains { Self.contains(Array(output.utf8), $0) })
            }
            for file in Self.files(under: home) where file.path != kept {
                #expect(!Self.contains(file.bytes, Array("PRIVATE KEY".utf8)), "\(file.path)")
                #expect(!encodings.contains { Self.contains(file.bytes, $0) }, "\(file.path) holds the key")
            }

            // An existing file is never overwritten, and then nothing is pushed.
            let again = try await CLIRunner.run(["ssh", "--known-hosts", fixture.state.knownHostsPath, "--keep-key", kept,
                                                 "ec2-user@\(instance.instanceId)", "--", "true"], environment: environment)
            #expect(again.status == 255)
            #expect(again.stderr.contains("File exists"), "\(again.stderr)")
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == pem)
        }
    }
}
