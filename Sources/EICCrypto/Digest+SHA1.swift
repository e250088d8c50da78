import COpenSSL
import Foundation

extension Digest {
    /// SHA-1 of `data`. Only for formats that mandate it (hashed known_hosts entries), never for signatures.
    public static func sha1<D: Collection>(_ data: D) -> [UInt8] where D.Element == UInt8 {
        var output = [UInt8](repeating: 0, count: 20)
        let input = Array(data)
        input.withUnsafeBufferPointer { buffer in
            output.withUnsafeMutableBufferPointer { out in
                _ = SHA1(buffer.baseAddress, buffer.count, out.baseAddress)
            }
        }
        return output
    }

    /// HMAC-SHA-1 of `data` under `key`, as OpenSSH uses for hashed known_hosts names (`|1|salt|hash`).
    public static func hmacSHA1<K: Collection, D: Collection>(key: K, data: D) -> [UInt8]
    where K.Element == UInt8, D.Element == UInt8 {
        hmac(EVP_sha1(), outputSize: 20, key: key, data: data)
    }
}

/// OpenSSH-style key fingerprints.
public enum SSHFingerprint {
    /// `SHA256:` followed by unpadded base64 of the SHA-256 of the public key blob, as `ssh-keygen -l` prints.
    public static func sha256(ofPublicKeyBlob blob: [UInt8]) -> String {
        let encoded = Data(Digest.sha256(blob)).base64EncodedString()
        return "SHA256:" + encoded.replacingOccurrences(of: "=", with: "")
    }
}
