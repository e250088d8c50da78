import COpenSSL

/// An RSA private key held by OpenSSL, used to sign SSH user-auth requests as rsa-sha2-256/512.
///
/// `@unchecked Sendable`: the EVP_PKEY is never mutated after init, and OpenSSL 3 allows concurrent
/// signing with one const key (each signature uses its own EVP_MD_CTX).
public final class RSASigningKey: @unchecked Sendable {
    /// The SSH signature algorithms this key can produce; both are accepted by OpenSSH ≥ 7.2.
    public enum Algorithm: String, Sendable, CaseIterable {
        case rsaSHA256 = "rsa-sha2-256"
        case rsaSHA512 = "rsa-sha2-512"
    }

    private let key: OpaquePointer

    private init(owning key: OpaquePointer) { self.key = key }

    deinit { EVP_PKEY_free(key) }

    /// Loads a PEM private key (`BEGIN RSA PRIVATE KEY`, `BEGIN PRIVATE KEY`, `BEGIN ENCRYPTED PRIVATE KEY`).
    /// Returns nil when the PEM holds a key of another type (EC, ed25519) so the caller can use another path.
    /// - Parameter passphrase: used only if the file is encrypted; nil means "none available".
    public static func loadPEM(_ pem: [UInt8], passphrase: [UInt8]?) throws(CryptoError) -> RSASigningKey? {
        guard let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw CryptoError(.malformedKey, operation: "PEM key loading", reason: "not a PEM private key OpenSSL understands")
        }
        defer { BIO_free(bio) }
        let box = PassphraseBox(passphrase)
        let unmanaged = Unmanaged.passRetained(box)
        defer { unmanaged.release() }
        let loaded = PEM_read_bio_PrivateKey(bio, nil, { buffer, size, _, context in
            guard let buffer, let context else { return -1 }
            let box = Unmanaged<PassphraseBox>.fromOpaque(context).takeUnretainedValue()
            box.asked = true
            guard let secret = box.secret, secret.count <= Int(size) else { return -1 }
            secret.withUnsafeBytes { raw in
                raw.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress { buffer.update(from: base, count: chars.count) }
                }
            }
            return Int32(secret.count)
        }, unmanaged.toOpaque())
        guard let loaded else {
            ERR_clear_error()
            if box.asked {
                throw box.secret == nil
                    ? CryptoError(.passphraseRequired, operation: "PEM key loading", reason: "the key is encrypted")
                    : CryptoError(.wrongPassphrase, operation: "PEM key loading", reason: "the passphrase does not decrypt the key")
            }
            throw CryptoError(.malformedKey, operation: "PEM key loading", reason: "not a PEM private key OpenSSL understands")
        }
        guard EVP_PKEY_is_a(loaded, "RSA") == 1 else {
            EVP_PKEY_free(loaded)
            return nil
        }
        return RSASigningKey(owning: loaded)
    }

    /// Builds a key from its numbers (as found in an OpenSSH-format container).
    public static func fromComponents(_ c: RSAComponents) throws(CryptoError) -> RSASigningKey {
        let bn = BigNumbers()
        let n = bn.make(c.n), e = bn.make(c.e), d = bn.make(c.d), p = bn.make(c.p), q = bn.make(c.q)
        let iqmp = bn.make(c.iqmp)
        // OpenSSH files omit the CRT exponents; OpenSSL wants them for fast, standard signing.
        let one = bn.make([1]), pMinus1 = bn.make([]), qMinus1 = bn.make([])
        let dmp1 = bn.make([]), dmq1 = bn.make([])
        guard let ctx = BN_CTX_new() else { throw CryptoError.fromOpenSSL("BN_CTX_new") }
        defer { BN_CTX_free(ctx) }
        guard BN_sub(pMinus1, p, one) == 1, BN_sub(qMinus1, q, one) == 1,
              BN_div(nil, dmp1, d, pMinus1, ctx) == 1, BN_div(nil, dmq1, d, qMinus1, ctx) == 1 else {
            throw CryptoError.fromOpenSSL("RSA CRT exponents")
        }
        guard let builder = OSSL_PARAM_BLD_new() else { throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        // OSSL_PARAM_BLD keeps the name pointers until to_param, so they must outlive the calls:
        // StaticString literals live in the binary for the whole process.
        let fields: [(StaticString, OpaquePointer?)] = [
            ("n", n), ("e", e), ("d", d), ("rsa-factor1", p), ("rsa-factor2", q),
            ("rsa-exponent1", dmp1), ("rsa-exponent2", dmq1), ("rsa-coefficient1", iqmp),
        ]
        for (name, value) in fields {
            let key = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
            guard OSSL_PARAM_BLD_push_BN(builder, key, value) == 1 else {
                throw CryptoError.fromOpenSSL("RSA parameter \(name)")
            }
        }
        guard let params = OSSL_PARAM_BLD_to_param(builder) else { throw CryptoError.fromOpenSSL("RSA parameters") }
        defer { OSSL_PARAM_free(params) }
        guard let pctx = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(pctx) }
        // EVP_PKEY_KEYPAIR is a compound macro Swift cannot import; this is its definition.
        let keyPairSelection = OSSL_KEYMGMT_SELECT_PRIVATE_KEY | OSSL_KEYMGMT_SELECT_PUBLIC_KEY
            | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(pctx) == 1,
              EVP_PKEY_fromdata(pctx, &pkey, keyPairSelection, params) == 1, let pkey else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_fromdata")
        }
        return RSASigningKey(owning: pkey)
    }

    /// The public key blob to send in user auth: `string algorithm, mpint e, mpint n`.
    /// Using the algorithm name as the type string is what makes libssh2 1.10 request rsa-sha2-*.
    public func publicKeyBlob(algorithm: Algorithm) throws(CryptoError) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.string(algorithm.rawValue)
        writer.mpint(try number("e"))
        writer.mpint(try number("n"))
        return writer.bytes
    }

    /// The standard `ssh-rsa` public key blob (for fingerprints and agent lookups).
    public func sshRSAPublicKeyBlob() throws(CryptoError) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.string("ssh-rsa")
        writer.mpint(try number("e"))
        writer.mpint(try number("n"))
        return writer.bytes
    }

    /// The raw PKCS#1 v1.5 signature of `data` with the hash of `algorithm`.
    public func sign(_ data: [UInt8], algorithm: Algorithm) throws(CryptoError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.fromOpenSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        let md = algorithm == .rsaSHA256 ? EVP_sha256() : EVP_sha512()
        guard EVP_DigestSignInit(ctx, nil, md, nil, key) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_DigestSignInit")
        }
        var length = 0
        guard data.withUnsafeBufferPointer({ EVP_DigestSign(ctx, nil, &length, $0.baseAddress, $0.count) }) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_DigestSign")
        }
        var signature = [UInt8](repeating: 0, count: length)
        let status = data.withUnsafeBufferPointer { input in
            signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(ctx, out.baseAddress, &length, input.baseAddress, input.count)
            }
        }
        guard status == 1 else { throw CryptoError.fromOpenSSL("EVP_DigestSign") }
        return Array(signature.prefix(length))
    }

    /// The size of the modulus in bits.
    public var bits: Int { Int(EVP_PKEY_get_bits(key)) }

    private func number(_ name: String) throws(CryptoError) -> [UInt8] {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(key, name, &bn) == 1, let bn else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_get_bn_param(\(name))")
        }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(bn) + 7) / 8))
        _ = out.withUnsafeMutableBufferPointer { BN_bn2bin(bn, $0.baseAddress) }
        return out
    }
}

/// Carries the passphrase into OpenSSL's C callback and records whether OpenSSL asked for one.
private final class PassphraseBox {
    let secret: [UInt8]?
    var asked = false
    init(_ secret: [UInt8]?) { self.secret = secret }
}

/// Owns the BIGNUMs made while building a key; frees them (clearing private ones) when done.
private final class BigNumbers {
    private var all: [OpaquePointer] = []

    func make(_ magnitude: [UInt8]) -> OpaquePointer? {
        let bn = magnitude.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
        if let bn { all.append(bn) }
        return bn
    }

    deinit { all.forEach { BN_clear_free($0) } }
}
