import Foundation

/// The parts of an OpenSSH private key file (`BEGIN OPENSSH PRIVATE KEY`, "openssh-key-v1") that can be
/// read without decrypting it, plus the RSA numbers when it is not encrypted.
///
/// OpenSSL cannot read this container, and encrypted containers use bcrypt_pbkdf, which OpenSSL lacks;
/// so only unencrypted RSA keys are decoded here.
public struct OpenSSHKeyContainer: Sendable {
    /// The cipher protecting the private section: "none" when unencrypted, e.g. "aes256-ctr" otherwise.
    public let cipherName: String
    /// The key type from the public key blob, e.g. "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256".
    public let keyType: String
    /// The public key blob in SSH wire format.
    public let publicKeyBlob: [UInt8]
    /// The still-encoded private section (ciphertext when encrypted).
    let privateSection: [UInt8]

    /// True when a passphrase is needed to read the private key.
    public var isEncrypted: Bool { cipherName != "none" }

    private static let magic = Array("openssh-key-v1".utf8) + [0]
    private static let header = "-----BEGIN OPENSSH PRIVATE KEY-----"
    private static let footer = "-----END OPENSSH PRIVATE KEY-----"

    /// True when `text` looks like an OpenSSH-format private key file.
    public static func isOpenSSHFormat(_ text: String) -> Bool { text.contains(header) }

    /// Parses the armoured container text.
    public init(pem text: String) throws(CryptoError) {
        guard let start = text.range(of: Self.header), let end = text.range(of: Self.footer),
              start.upperBound <= end.lowerBound else {
            throw CryptoError(operation: "OpenSSH key parsing", reason: "not an OpenSSH private key file")
        }
        let body = text[start.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let decoded = Data(base64Encoded: String(body)) else {
            throw CryptoError(operation: "OpenSSH key parsing", reason: "the key body is not valid base64")
        }
        try self.init(binary: Array(decoded))
    }

    /// Parses the decoded (binary) container.
    public init(binary: [UInt8]) throws(CryptoError) {
        guard binary.starts(with: Self.magic) else {
            throw CryptoError(operation: "OpenSSH key parsing", reason: "missing openssh-key-v1 header")
        }
        var reader = SSHWireReader(Array(binary.dropFirst(Self.magic.count)))
        cipherName = try reader.text()
        _ = try reader.text()  // kdf name; implied by the cipher for our purposes
        _ = try reader.string()  // kdf options
        let count = try reader.uint32()
        guard count == 1 else {
            throw CryptoError(operation: "OpenSSH key parsing", reason: "files with \(count) keys are not supported")
        }
        publicKeyBlob = try reader.string()
        privateSection = try reader.string()
        var blobReader = SSHWireReader(publicKeyBlob)
        keyType = try blobReader.text()
    }

    /// The RSA numbers of an unencrypted `ssh-rsa` container.
    public func rsaComponents() throws(CryptoError) -> RSAComponents {
        guard !isEncrypted else {
            throw CryptoError(operation: "OpenSSH key parsing", reason: "the private key is encrypted")
        }
        guard keyType == "ssh-rsa" else {
            throw CryptoError(operation: "OpenSSH key parsing", reason: "not an RSA key (\(keyType))")
        }
        var reader = SSHWireReader(privateSection)
        // Two equal check words guard against a wrong passphrase; unencrypted files must match too.
        let check1 = try reader.uint32()
        let check2 = try reader.uint32()
        guard check1 == check2 else {
            throw CryptoError(operation: "OpenSSH key parsing", reason: "corrupt private section")
        }
        let type = try reader.text()
        guard type == "ssh-rsa" else {
            throw CryptoError(operation: "OpenSSH key parsing", reason: "private key type \(type) does not match")
        }
        let n = try reader.mpint()
        let e = try reader.mpint()
        let d = try reader.mpint()
        let iqmp = try reader.mpint()
        let p = try reader.mpint()
        let q = try reader.mpint()
        return RSAComponents(n: n, e: e, d: d, p: p, q: q, iqmp: iqmp)
    }
}

/// The numbers of an RSA private key as unsigned big-endian magnitudes.
public struct RSAComponents: Sendable {
    /// Modulus.
    public let n: [UInt8]
    /// Public exponent.
    public let e: [UInt8]
    /// Private exponent.
    public let d: [UInt8]
    /// First prime.
    public let p: [UInt8]
    /// Second prime.
    public let q: [UInt8]
    /// q⁻¹ mod p.
    public let iqmp: [UInt8]

    /// Groups the numbers of one key.
    public init(n: [UInt8], e: [UInt8], d: [UInt8], p: [UInt8], q: [UInt8], iqmp: [UInt8]) {
        self.n = n; self.e = e; self.d = d; self.p = p; self.q = q; self.iqmp = iqmp
    }
}
