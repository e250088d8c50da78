import EICCrypto
import Foundation

/// Which credential a session authenticates with.
public enum SSHIdentity: Sendable, Equatable {
    /// A private key file (PEM or OpenSSH format).
    case keyFile(path: String)
    /// The keys of the ssh-agent listening on this socket (SSH_AUTH_SOCK).
    case agent(socketPath: String)
    /// A key that exists only in memory, e.g. the ephemeral key of an EC2 Instance Connect login.
    case inMemory(Ed25519KeyPair)
}

/// Supplies the passphrase of an encrypted key, only when one is needed.
public struct PassphraseSource: Sendable {
    let provide: @Sendable (_ keyPath: String) -> [UInt8]?

    /// Creates a source from a closure that returns the passphrase for a key path, or nil.
    public init(_ provide: @escaping @Sendable (_ keyPath: String) -> [UInt8]?) { self.provide = provide }

    /// No passphrase: encrypted keys fail with an error saying how to supply one.
    public static let none = PassphraseSource { _ in nil }

    /// `EICSETUP_KEY_PASSPHRASE` from `environment`, else a no-echo prompt when stdin is a terminal.
    public static func environmentOrPrompt(_ environment: [String: String]) -> PassphraseSource {
        PassphraseSource { path in
            if let value = environment["EICSETUP_KEY_PASSPHRASE"] { return Array(value.utf8) }
            return PassphrasePrompt.read(prompt: "Enter passphrase for key '\(path)': ")
        }
    }
}

/// A key ready for user authentication.
enum LoadedKey {
    /// RSA, signed by us as rsa-sha2-256/512 (libssh2 1.10 would use SHA-1, which OpenSSH ≥ 8.8 refuses).
    case rsa(RSASigningKey, path: String)
    /// ed25519/ECDSA, loaded and signed by libssh2 itself.
    case libssh2File(path: String, passphrase: [UInt8]?)
    /// ed25519 held by OpenSSL in memory, signed by us (nothing touches disk).
    case ed25519(Ed25519KeyPair)
}

/// Reads a private key file with OpenSSH's safety rules and picks the signing path for its type.
enum KeyFileLoader {
    static func load(path: String, passphrase: PassphraseSource) throws(SSHError) -> LoadedKey {
        let operation = "load identity \(path)"
        // Type first: mode advice ("chmod 600") for /dev/null or a directory would be wrong, and harmful as root.
        let info = try regularFile(path: path, operation: operation)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(.identity, operation: operation, message: "cannot read the key file; check the path and its permissions")
        }
        let text = String(decoding: data, as: UTF8.self)
        // A public key is named as such whatever its mode (0644 is normal for one).
        if text.hasPrefix("ssh-") || text.hasPrefix("ecdsa-") || text.hasPrefix("sk-") {
            throw SSHError(.identity, operation: operation,
                           message: "this is a public key; pass the private key file (usually the same name without .pub)")
        }
        try checkPermissions(info, path: path, operation: operation)

        if OpenSSHKeyContainer.isOpenSSHFormat(text) {
            let container: OpenSSHKeyContainer
            do { container = try OpenSSHKeyContainer(pem: text) } catch {
                throw SSHError(.identity, operation: operation, message: "not a valid OpenSSH private key (\(error.reason))")
            }
            switch container.keyType {
            case "ssh-rsa":
                guard !container.isEncrypted else {
                    throw SSHError(.identity, operation: operation, message: """
                        encrypted RSA keys in OpenSSH format are not supported (OpenSSL cannot decrypt them); \
                        convert a copy to PEM with: ssh-keygen -p -m PEM -f \(path)
                        """)
                }
                do { return .rsa(try RSASigningKey.fromComponents(try container.rsaComponents()), path: path) } catch {
                    throw SSHError(.identity, operation: operation, message: "cannot use the RSA key (\(error.reason))")
                }
            case "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
                let secret = container.isEncrypted ? try required(passphrase, path: path, operation: operation) : nil
                return .libssh2File(path: path, passphrase: secret)
            default:
                throw unsupported(container.keyType, operation: operation)
            }
        }

        if text.contains("-----BEGIN DSA PRIVATE KEY-----") { throw unsupported("ssh-dss", operation: operation) }
        guard text.contains("-----BEGIN "), text.contains("PRIVATE KEY-----") else {
            throw SSHError(.identity, operation: operation,
                           message: "unsupported key file format: expected a PEM or OpenSSH private key")
        }
        var secret: [UInt8]?
        var attempt = loadPEM(Array(data), passphrase: nil)
        if case .failure(let error) = attempt, error.kind == .passphraseRequired {
            secret = try required(passphrase, path: path, operation: operation)
            attempt = loadPEM(Array(data), passphrase: secret)
        }
        switch attempt {
        case .success(let rsa?):
            return .rsa(rsa, path: path)
        case .success(nil):
            // EC or ed25519 PEM/PKCS#8: libssh2 signs those correctly itself.
            return .libssh2File(path: path, passphrase: secret)
        case .failure(let error) where error.kind == .wrongPassphrase:
            throw SSHError(.identity, operation: operation, message: "wrong passphrase for the key")
        case .failure(let error) where error.kind == .passphraseRequired:
            throw SSHError(.identity, operation: operation, message: "the key is encrypted; " + passphraseHint)
        case .failure:
            throw SSHError(.identity, operation: operation,
                           message: "OpenSSL cannot read this PEM private key; it may be corrupt or of an unsupported type")
        }
    }

    private static func loadPEM(_ bytes: [UInt8], passphrase: [UInt8]?) -> Result<RSASigningKey?, CryptoError> {
        do { return .success(try RSASigningKey.loadPEM(bytes, passphrase: passphrase)) } catch { return .failure(error) }
    }

    static let passphraseHint = "set EICSETUP_KEY_PASSPHRASE or run on a terminal to be asked for the passphrase"

    private static func required(_ source: PassphraseSource, path: String, operation: String) throws(SSHError) -> [UInt8] {
        guard let secret = source.provide(path) else {
            throw SSHError(.identity, operation: operation, message: "the key is encrypted; " + passphraseHint)
        }
        return secret
    }

    private static func unsupported(_ type: String, operation: String) -> SSHError {
        SSHError(.identity, operation: operation,
                 message: "unsupported key type \(type); use an RSA, ed25519 or ECDSA (nistp256/384/521) key")
    }

    /// The file's status, if it is a regular file (symbolic links followed, as OpenSSH does).
    private static func regularFile(path: String, operation: String) throws(SSHError) -> stat {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SSHError(.identity, operation: operation, message: "\(String(cString: strerror(errno))); check --identity-file")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            let kind: String
            switch info.st_mode & S_IFMT {
            case S_IFDIR: kind = "a directory"
            case S_IFCHR, S_IFBLK: kind = "a device"
            case S_IFIFO: kind = "a pipe"
            case S_IFSOCK: kind = "a socket"
            default: kind = "not a plain file"
            }
            throw SSHError(.identity, operation: operation,
                           message: "not a regular file (\(kind)); --identity-file needs a private key file")
        }
        return info
    }

    /// Refuses a key readable by group or others, exactly as OpenSSH does for the user's own files.
    private static func checkPermissions(_ info: stat, path: String, operation: String) throws(SSHError) {
        let mode = info.st_mode & 0o777
        guard info.st_uid != getuid() || mode & 0o077 == 0 else {
            throw SSHError(.identity, operation: operation, message: """
                UNPROTECTED PRIVATE KEY FILE! Permissions \(String(format: "0%o", mode)) for '\(path)' are too open. \
                It is required that your private key files are NOT accessible by others. Run: chmod 600 \(path)
                """)
        }
    }
}
