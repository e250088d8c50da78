import Foundation
import Testing
@testable import EICCrypto

@Suite struct Ed25519KeyPairTests {
    @Test func signaturesVerifyWithOpenSSLAndOnlyForTheSignedDataAndKey() throws {
        let pair = try Ed25519KeyPair.generate()
        let other = try Ed25519KeyPair.generate()
        let data = Array("session identifier + SSH_MSG_USERAUTH_REQUEST".utf8)
        let signature = try pair.sign(data)
        #expect(signature.count == 64)
        #expect(Ed25519KeyPair.verify(signature: signature, data: data, publicKey: pair.publicKey))
        // ed25519 is deterministic (RFC 8032): the same key and data give the same signature.
        #expect(try pair.sign(data) == signature)
        #expect(!Ed25519KeyPair.verify(signature: signature, data: data + [0], publicKey: pair.publicKey))
        #expect(!Ed25519KeyPair.verify(signature: signature, data: data, publicKey: other.publicKey))
        var flipped = signature
        flipped[10] ^= 0x01
        #expect(!Ed25519KeyPair.verify(signature: flipped, data: data, publicKey: pair.publicKey))
        #expect(!Ed25519KeyPair.verify(signature: signature, data: data, publicKey: [1, 2, 3]))
        #expect(pair.publicKey != other.publicKey, "two generated keys must differ")
        #expect(try pair.sign([]).count == 64, "empty data can be signed")
    }

    /// RFC 8032 §7.1, TEST 1 and TEST 2: OpenSSL's key derivation and signatures, byte for byte.
    @Test func matchesTheRFC8032TestVectors() throws {
        let vectors: [(seed: String, publicKey: String, message: String, signature: String)] = [
            ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
             "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
             "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
            ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
             "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
             "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ]
        for vector in vectors {
            let pair = try Ed25519KeyPair.fromSeed(try #require(Hex.decode(vector.seed)))
            #expect(pair.publicKey == Hex.decode(vector.publicKey))
            let message = try #require(Hex.decode(vector.message))
            #expect(Hex.encode(try pair.sign(message)) == vector.signature)
            #expect(Ed25519KeyPair.verify(signature: try #require(Hex.decode(vector.signature)), data: message,
                                          publicKey: pair.publicKey))
        }
    }

    @Test func publicKeyLineIsWhatOpenSSHWrites() throws {
        let pair = try Ed25519KeyPair.generate()
        let line = pair.openSSHPublicKey()
        let fields = line.split(separator: " ").map(String.init)
        #expect(fields.count == 3)
        #expect(fields[0] == "ssh-ed25519")
        #expect(fields[1].hasPrefix("AAAAC3NzaC1lZDI1NTE5AAAAI"), "string \"ssh-ed25519\", then a 32-byte string")
        #expect(fields[2] == "eicsetup-ephemeral")
        let blob = Array(try #require(Data(base64Encoded: fields[1])))
        #expect(blob == pair.publicKeyBlob)
        var reader = SSHWireReader(blob)
        #expect(try reader.text() == "ssh-ed25519")
        #expect(try reader.string() == pair.publicKey)
        #expect(reader.isAtEnd)
        #expect(pair.openSSHPublicKey(comment: "") == "ssh-ed25519 " + fields[1])
    }

    @Test func keptPrivateKeyIsAnOpenSSHKeyThatSshKeygenReads() throws {
        let pair = try Ed25519KeyPair.generate()
        let pem = String(decoding: try pair.openSSHPrivateKey(comment: "kept"), as: UTF8.self)
        #expect(pem.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END OPENSSH PRIVATE KEY-----\n"))
        let container = try OpenSSHKeyContainer(pem: pem)
        #expect(container.keyType == "ssh-ed25519")
        #expect(!container.isEncrypted)
        #expect(container.publicKeyBlob == pair.publicKeyBlob)

        // OpenSSH itself derives the same public key from the file.
        let directory = NSTemporaryDirectory() + "eic-ed25519-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/key"
        FileManager.default.createFile(atPath: path, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600])
        let keygen = Process()
        keygen.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        keygen.arguments = ["-y", "-f", path]
        let output = Pipe()
        keygen.standardOutput = output
        keygen.standardError = FileHandle.nullDevice
        try keygen.run()
        let derived = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        keygen.waitUntilExit()
        #expect(keygen.terminationStatus == 0)
        #expect(derived.hasPrefix(pair.openSSHPublicKey(comment: "")), "ssh-keygen -y: \(derived)")
    }
}
