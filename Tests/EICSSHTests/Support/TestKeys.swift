import Foundation

/// Private keys of every kind the issue names, generated once per test run with ssh-keygen.
struct TestKeys: Sendable {
    let directory: String
    let rsaPEM: String          // RSA 2048, BEGIN RSA PRIVATE KEY
    let rsaOpenSSH: String      // RSA 4096, BEGIN OPENSSH PRIVATE KEY
    let rsaPKCS8: String        // RSA 2048, BEGIN PRIVATE KEY
    let rsaPEMEncrypted: String // RSA 2048 PEM, passphrase
    let rsaOpenSSHEncrypted: String
    let ed25519: String
    let ecdsaP256: String       // OpenSSH format
    let ecdsaPEM: String        // BEGIN EC PRIVATE KEY
    let ed25519Passphrase: String
    static let passphrase = "correct horse battery"

    /// Every public key, for authorized_keys.
    var allPublicKeys: [String] {
        [rsaPEM, rsaOpenSSH, rsaPKCS8, rsaPEMEncrypted, rsaOpenSSHEncrypted, ed25519, ecdsaP256, ecdsaPEM, ed25519Passphrase]
            .compactMap { try? String(contentsOfFile: $0 + ".pub", encoding: .utf8) }
    }

    static let shared: TestKeys = {
        do { return try TestKeys() } catch { fatalError("cannot generate test keys: \(error)") }
    }()

    private init() throws {
        let directory = try Shell.makeTemporaryDirectory("keys")
        self.directory = directory
        func make(_ name: String, _ options: [String], passphrase: String = "") throws -> String {
            let path = directory + "/" + name
            try Shell.run(["/usr/bin/ssh-keygen", "-q", "-N", passphrase, "-C", name, "-f", path] + options)
            return path
        }
        rsaPEM = try make("rsa2048.pem", ["-t", "rsa", "-b", "2048", "-m", "PEM"])
        rsaOpenSSH = try make("rsa4096", ["-t", "rsa", "-b", "4096"])
        rsaPKCS8 = try make("rsa.pkcs8", ["-t", "rsa", "-b", "2048", "-m", "PKCS8"])
        rsaPEMEncrypted = try make("rsa-enc.pem", ["-t", "rsa", "-b", "2048", "-m", "PEM"], passphrase: Self.passphrase)
        rsaOpenSSHEncrypted = try make("rsa-enc", ["-t", "rsa", "-b", "2048"], passphrase: Self.passphrase)
        ed25519 = try make("ed25519", ["-t", "ed25519"])
        ecdsaP256 = try make("ecdsa256", ["-t", "ecdsa", "-b", "256"])
        ecdsaPEM = try make("ecdsa.pem", ["-t", "ecdsa", "-b", "256", "-m", "PEM"])
        ed25519Passphrase = try make("ed25519-pass", ["-t", "ed25519"], passphrase: Self.passphrase)
    }
}
