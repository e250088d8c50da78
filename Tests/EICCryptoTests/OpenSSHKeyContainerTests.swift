import Foundation
import Testing
@testable import EICCrypto

@Suite struct OpenSSHKeyContainerTests {
    @Test func readsTheUnencryptedRSAContainer() throws {
        let container = try OpenSSHKeyContainer(pem: KeyFixtures.rsaOpenSSH)
        #expect(container.keyType == "ssh-rsa")
        #expect(!container.isEncrypted)
        let publicBlob = Array(try #require(Data(base64Encoded: String(KeyFixtures.rsaPublicLine.split(separator: " ")[1]))))
        #expect(container.publicKeyBlob == publicBlob)
    }

    @Test func rsaFromTheContainerEqualsTheSameKeyFromPEM() throws {
        let fromContainer = try RSASigningKey.fromComponents(try OpenSSHKeyContainer(pem: KeyFixtures.rsaOpenSSH).rsaComponents())
        let fromPEM = try #require(try RSASigningKey.loadPEM(Array(KeyFixtures.rsaPEM.utf8), passphrase: nil))
        #expect(fromContainer.bits == 2048)
        #expect(try fromContainer.sshRSAPublicKeyBlob() == fromPEM.sshRSAPublicKeyBlob())
        // PKCS#1 v1.5 is deterministic: the same key must give the same signature.
        let data = Array("session id and userauth request".utf8)
        for algorithm in RSASigningKey.Algorithm.allCases {
            #expect(try fromContainer.sign(data, algorithm: algorithm) == fromPEM.sign(data, algorithm: algorithm))
        }
        #expect(try fromContainer.sign(data, algorithm: .rsaSHA256).count == 256)
    }

    @Test func publicBlobAnnouncesTheSignatureAlgorithm() throws {
        let key = try #require(try RSASigningKey.loadPEM(Array(KeyFixtures.rsaPEM.utf8), passphrase: nil))
        var reader = SSHWireReader(try key.publicKeyBlob(algorithm: .rsaSHA512))
        #expect(try reader.text() == "rsa-sha2-512")
        #expect(try reader.mpint() == [0x01, 0x00, 0x01])
        #expect(try reader.mpint().count == 256)
        #expect(reader.isAtEnd)
    }

    @Test func rejectsGarbageAndTruncation() {
        #expect(throws: CryptoError.self) { try OpenSSHKeyContainer(pem: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----") }
        #expect(throws: CryptoError.self) { try OpenSSHKeyContainer(binary: Array("openssh-key-v1".utf8) + [0, 0, 0, 0, 9]) }
        let error = #expect(throws: CryptoError.self) { try RSASigningKey.loadPEM(Array("not a key".utf8), passphrase: nil) }
        #expect(error?.kind == .malformedKey)
    }
}

@Suite struct SSHWireAndDigestTests {
    @Test func mpintGetsALeadingZeroOnlyWhenTheTopBitIsSet() {
        var writer = SSHWireWriter()
        writer.mpint([0x80, 0x01])
        writer.mpint([0x00, 0x7f])
        writer.mpint([])
        #expect(writer.bytes == [0, 0, 0, 3, 0, 0x80, 0x01, 0, 0, 0, 1, 0x7f, 0, 0, 0, 0])
    }

    @Test func stringLengthIsInBytesNotCharacters() throws {
        var writer = SSHWireWriter()
        writer.string("é✓")
        var reader = SSHWireReader(writer.bytes)
        #expect(try reader.uint32() == 5)
    }

    @Test func readerRefusesALengthBeyondTheData() {
        var reader = SSHWireReader([0, 0, 1, 0, 1, 2])
        #expect(throws: CryptoError.self) { try reader.string() }
    }

    // RFC 2202 test case 2.
    @Test func hmacSHA1MatchesRFC2202() {
        let mac = Digest.hmacSHA1(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    @Test func fingerprintMatchesSSHKeygen() throws {
        let blob = Array(try #require(Data(base64Encoded: String(KeyFixtures.rsaPublicLine.split(separator: " ")[1]))))
        // As printed by `ssh-keygen -lf` for the fixture.
        #expect(SSHFingerprint.sha256(ofPublicKeyBlob: blob) == "SHA256:/94z3Y8/Jfowh73f3hSbGL111fIRZAwtR+wKA71FiKA")
    }
}
