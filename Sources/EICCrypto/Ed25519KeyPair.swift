import COpenSSL
import Foundation

/// An ed25519 key pair generated and held by OpenSSL, for one EC2 Instance Connect login: its public
/// half is pushed with SendSSHPublicKey, its private half signs the SSH user-auth request and never
/// leaves memory (unless the caller explicitly writes it out with `openSSHPrivateKey()`).
///
/// `@unchecked Sendable`: the EVP_PKEY is never mutated after generation, and OpenSSL 3 allows
/// concurrent signing with one const key (each signature uses its own EVP_MD_CTX).
public final class Ed25519KeyPair: @unchecked Sendable {
    /// The key pair of a known 32-byte private seed (RFC 8032 test vectors; internal on purpose:
    /// production keys are only ever generated).
    static func fromSeed(_ seed: [UInt8]) throws(CryptoError) -> Ed25519KeyPair {
        let pkey = seed.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil, $0.baseAddress, $0.count)
        }
        guard let pkey else { throw CryptoError.fromOpenSSL("ed25519 key from seed") }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1 else {
            EVP_PKEY_free(pkey)
            throw CryptoError.fromOpenSSL("ed25519 public key (EVP_PKEY_get_raw_public_key)")
        }
        return Ed25519KeyPair(owning: pkey, publicKey: raw)
    }

    /// The SSH key type and signature algorithm name.
    public static let keyType = "ssh-ed25519"
    /// The comment put on public key lines by default.
    public static let defaultComment = "eicsetup-ephemeral"

    private let key: OpaquePointer
    /// The raw 32-byte public key.
    public let publicKey: [UInt8]

    private init(owning key: OpaquePointer, publicKey: [UInt8]) {
        self.key = key
        self.publicKey = publicKey
    }

    /// EVP_PKEY_free clears the private key before releasing it.
    deinit { EVP_PKEY_free(key) }

    /// Generates a fresh key pair from OpenSSL's CSPRNG.
    public static func generate() throws(CryptoError) -> Ed25519KeyPair {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "ED25519", nil) else {
            throw CryptoError.fromOpenSSL("ed25519 key generation (EVP_PKEY_CTX_new_from_name)")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_generate(ctx, &generated) == 1, let generated else {
            throw CryptoError.fromOpenSSL("ed25519 key generation")
        }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(generated, &raw, &length) == 1, length == 32 else {
            EVP_PKEY_free(generated)
            throw CryptoError.fromOpenSSL("ed25519 public key (EVP_PKEY_get_raw_public_key)")
        }
        return Ed25519KeyPair(owning: generated, publicKey: raw)
    }

    /// The public key in SSH wire format: `string "ssh-ed25519", string key` (what user auth sends).
    public var publicKeyBlob: [UInt8] {
        var writer = SSHWireWriter()
        writer.string(Self.keyType)
        writer.string(publicKey)
        return writer.bytes
    }

    /// The OpenSSH public key line, e.g. `ssh-ed25519 AAAAC3Nza… eicsetup-ephemeral` (what
    /// SendSSHPublicKey takes and authorized_keys holds).
    public func openSSHPublicKey(comment: String = Ed25519KeyPair.defaultComment) -> String {
        let line = Self.keyType + " " + Data(publicKeyBlob).base64EncodedString()
        return comment.isEmpty ? line : line + " " + comment
    }

    /// The raw 64-byte ed25519 signature of `data` (RFC 8032, pure ed25519: no pre-hash).
    public func sign(_ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.fromOpenSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        // ed25519 takes no digest and signs in one shot.
        guard EVP_DigestSignInit(ctx, nil, nil, nil, key) == 1 else {
            throw CryptoError.fromOpenSSL("ed25519 signing (EVP_DigestSignInit)")
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        let status = data.withUnsafeBufferPointer { input in
            signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(ctx, out.baseAddress, &length, input.baseAddress, input.count)
            }
        }
        guard status == 1, length == 64 else { throw CryptoError.fromOpenSSL("ed25519 signing (EVP_DigestSign)") }
        return signature
    }

    /// True when `signature` is a valid ed25519 signature of `data` by the raw 32-byte `publicKey`.
    public static func verify(signature: [UInt8], data: [UInt8], publicKey: [UInt8]) -> Bool {
        let pkey = publicKey.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, $0.baseAddress, $0.count)
        }
        guard let pkey else {
            ERR_clear_error()
            return false
        }
        defer { EVP_PKEY_free(pkey) }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else {
            ERR_clear_error()
            return false
        }
        let status = signature.withUnsafeBufferPointer { sig in
            data.withUnsafeBufferPointer { input in
                EVP_DigestVerify(ctx, sig.baseAddress, sig.count, input.baseAddress, input.count)
            }
        }
        ERR_clear_error()
        return status == 1
    }

    /// The private key as an unencrypted OpenSSH private key file (`BEGIN OPENSSH PRIVATE KEY`), for
    /// `--keep-key` only: this is the one way key material leaves memory. The copies made here are
    /// cleansed (as far as Swift lets us); the returned bytes are the caller's to zero after writing them.
    public func openSSHPrivateKey(comment: String = Ed25519KeyPair.defaultComment) throws(CryptoError) -> [UInt8] {
        var seed = [UInt8](repeating: 0, count: 32)
        defer { SecureMemory.cleanse(&seed) }
        var length = seed.count
        guard EVP_PKEY_get_raw_private_key(key, &seed, &length) == 1, length == 32 else {
            throw CryptoError.fromOpenSSL("ed25519 private key (EVP_PKEY_get_raw_private_key)")
        }
        // openssh-key-v1: two equal random "check" words let a reader detect a wrong decryption.
        var secret = try SecureRandom.bytes(4)
        defer { SecureMemory.cleanse(&secret) }
        secret.reserveCapacity(256)
        secret += secret
        Self.appendString(&secret, Array(Self.keyType.utf8))
        Self.appendString(&secret, publicKey)
        Self.appendString(&secret, seed + publicKey)  // OpenSSH keeps the 32-byte seed followed by the public key
        Self.appendString(&secret, Array(comment.utf8))
        var pad: UInt8 = 1
        while secret.count % 8 != 0 {
            secret.append(pad)
            pad += 1
        }
        var container = Array("openssh-key-v1".utf8) + [0]
        defer { SecureMemory.cleanse(&container) }
        container.reserveCapacity(512)
        for field in [Array("none".utf8), Array("none".utf8), []] { Self.appendString(&container, field) }  // cipher, kdf, kdf options
        container += [0, 0, 0, 1]  // one key
        Self.appendString(&container, publicKeyBlob)
        Self.appendString(&container, secret)
        let encoded = Data(container).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        var pem = Array("-----BEGIN OPENSSH PRIVATE KEY-----\n".utf8)
        pem.reserveCapacity(pem.count + encoded.utf8.count + 40)
        pem += Array(encoded.utf8)
        pem += Array("\n-----END OPENSSH PRIVATE KEY-----\n".utf8)
        return pem
    }

    private static func appendString(_ buffer: inout [UInt8], _ value: [UInt8]) {
        let count = UInt32(value.count)
        buffer += [UInt8(count >> 24 & 0xff), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
        buffer += value
    }
}

extension Ed25519KeyPair: Equatable {
    /// Two key pairs are equal when their public keys are (a public key determines its private key).
    public static func == (lhs: Ed25519KeyPair, rhs: Ed25519KeyPair) -> Bool { lhs.publicKey == rhs.publicKey }
}

/// Clearing secrets from memory.
public enum SecureMemory {
    /// Overwrites `bytes` with zeros in a way the optimiser keeps (OPENSSL_cleanse).
    public static func cleanse(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            OPENSSL_cleanse(base, buffer.count)
        }
    }
}
