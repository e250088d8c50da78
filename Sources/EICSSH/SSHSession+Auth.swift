import CLibSSH2
import EICCrypto
import Foundation

/// Carries a Swift signing closure through libssh2's `void **abstract` into the C sign callback.
private final class SignContext {
    let sign: ([UInt8]) -> [UInt8]?
    init(_ sign: @escaping ([UInt8]) -> [UInt8]?) { self.sign = sign }
}

/// libssh2's sign callback: signs with the Swift closure and hands back a malloc'd raw signature,
/// which libssh2 frees with its default allocator (free).
private let signCallback: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, UnsafeMutablePointer<Int>?,
    UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int32 = { _, signature, signatureLength, data, dataLength, abstract in
    guard let signature, let signatureLength, let data, let context = abstract?.pointee else { return -1 }
    let box = Unmanaged<SignContext>.fromOpaque(context).takeUnretainedValue()
    guard let bytes = box.sign(Array(UnsafeBufferPointer(start: data, count: dataLength))),
          let buffer = malloc(max(bytes.count, 1)) else { return -1 }
    bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count) }
    signature.pointee = buffer.assumingMemoryBound(to: UInt8.self)
    signatureLength.pointee = bytes.count
    return 0
}

extension SSHSession {
    private var authOperation: String { "authenticate \(options.displayName)" }

    /// Authenticates with a loaded key file.
    func authenticate(with key: LoadedKey) throws(SSHError) {
        switch key {
        case .rsa(let rsa, let path):
            for algorithm in RSASigningKey.Algorithm.allCases {
                let blob: [UInt8]
                do { blob = try rsa.publicKeyBlob(algorithm: algorithm) } catch {
                    throw SSHError(.identity, operation: authOperation, message: "cannot read the RSA public key (\(error.reason))")
                }
                let rc = publicKey(blob: blob) { data in try? rsa.sign(data, algorithm: algorithm) }
                if rc == 0 { return }
                guard rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED || rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED else {
                    throw failure(rc, "the RSA key from \(path) could not be used")
                }
            }
            throw refused("\(path) (RSA, tried rsa-sha2-256 and rsa-sha2-512)")
        case .libssh2File(let path, let passphrase):
            let rc = options.user.withCString { user in
                path.withCString { privateKey in
                    withPassphrase(passphrase) { secret in
                        libssh2_userauth_publickey_fromfile_ex(raw, user, UInt32(options.user.utf8.count), nil, privateKey, secret)
                    }
                }
            }
            if rc == 0 { return }
            if rc == LIBSSH2_ERROR_FILE {
                let message = passphrase != nil ? "wrong passphrase for \(path)" :
                    "libssh2 cannot read the key \(path) (if it is encrypted, \(KeyFileLoader.passphraseHint))"
                throw SSHError(.identity, operation: authOperation, session: raw, code: rc, message: message)
            }
            guard rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED || rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED else {
                throw failure(rc, "authentication with \(path) failed")
            }
            throw refused(path)
        case .ed25519(let pair):
            let rc = publicKey(blob: pair.publicKeyBlob) { data in try? pair.sign(data) }
            if rc == 0 { return }
            guard rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED || rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED else {
                throw failure(rc, "authentication with the in-memory ed25519 key failed")
            }
            throw refused("the in-memory ed25519 key")
        }
    }

    /// Tries every key the agent holds; RSA keys sign as rsa-sha2-256.
    func authenticateWithAgent(socketPath: String) throws(SSHError) {
        let agent = try SSHAgentClient(socketPath: socketPath)
        let identities = try agent.identities()
        guard !identities.isEmpty else {
            throw SSHError(.agent, operation: authOperation, message: "the ssh-agent holds no keys; add one with ssh-add")
        }
        for identity in identities {
            var blob = identity.blob
            var flags: UInt32 = 0
            if identity.keyType == "ssh-rsa" {
                // Same trick as for RSA key files: announce rsa-sha2-256 and let the agent sign with SHA-256.
                var reader = SSHWireReader(identity.blob)
                _ = try? reader.text()
                var writer = SSHWireWriter()
                writer.string("rsa-sha2-256")
                blob = writer.bytes + Array(identity.blob.dropFirst(4 + "ssh-rsa".utf8.count))
                flags = SSHAgentClient.rsaSHA256Flag
            } else if !identity.keyType.hasPrefix("ssh-ed25519") && !identity.keyType.hasPrefix("ecdsa-sha2-") {
                continue  // DSA, security keys and certificates: not supported here.
            }
            let rc = publicKey(blob: blob) { data in try? agent.sign(blob: identity.blob, data: data, flags: flags) }
            if rc == 0 { return }
            guard rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED || rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED else {
                throw failure(rc, "authentication with agent key \(identity.comment) failed")
            }
        }
        throw refused("every ssh-agent key (\(identities.count))")
    }

    private func publicKey(blob: [UInt8], sign: @escaping ([UInt8]) -> [UInt8]?) -> Int32 {
        let context = Unmanaged.passRetained(SignContext(sign))
        defer { context.release() }
        var abstract: UnsafeMutableRawPointer? = context.toOpaque()
        return options.user.withCString { user in
            blob.withUnsafeBufferPointer { key in
                libssh2_userauth_publickey(raw, user, key.baseAddress, key.count, signCallback, &abstract)
            }
        }
    }

    private func withPassphrase<T>(_ secret: [UInt8]?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
        guard var bytes = secret else { return body(nil) }
        bytes.append(0)
        defer { for index in bytes.indices { bytes[index] = 0 } }  // do not leave the secret in freed memory
        return bytes.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress) } }
    }

    private func refused(_ what: String) -> SSHError {
        SSHError(.authentication, operation: authOperation, session: nil, code: LIBSSH2_ERROR_AUTHENTICATION_FAILED,
                 message: "the server refused \(what); check the user name and that the public key is in its authorized_keys")
    }

    private func failure(_ rc: Int32, _ message: String) -> SSHError {
        SSHError(rc == LIBSSH2_ERROR_TIMEOUT ? .timeout : .authentication, operation: authOperation,
                 session: raw, code: rc, message: message)
    }
}
