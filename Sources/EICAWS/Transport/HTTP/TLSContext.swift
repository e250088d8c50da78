import COpenSSL
import Foundation

/// The one OpenSSL client context: TLS 1.2 or later, peer verification on, trusting the system's CA store
/// (OpenSSL's default paths, which also honour SSL_CERT_FILE / SSL_CERT_DIR) or, like the AWS CLI, the
/// bundle named by AWS_CA_BUNDLE.
///
/// `@unchecked Sendable`: the SSL_CTX is configured once, then only read (OpenSSL allows sharing it).
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    private init(context: OpaquePointer) {
        self.context = context
    }

    deinit { SSL_CTX_free(context) }

    /// Built on first use from the environment of that moment.
    static let shared: Result<TLSContext, HTTPClientError> = make(caBundle: ProcessInfo.processInfo.environment["AWS_CA_BUNDLE"])

    static func make(caBundle: String?) -> Result<TLSContext, HTTPClientError> {
        guard let method = TLS_client_method(), let context = SSL_CTX_new(method) else {
            return .failure(.tls("cannot create a TLS context: " + SocketConnection.openSSLProblem()))
        }
        let tls = TLSContext(context: context)
        _ = eicsetup_ssl_ctx_set_min_tls12(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let caBundle, !caBundle.isEmpty {
            guard SSL_CTX_load_verify_locations(context, caBundle, nil) == 1 else {
                return .failure(.tls("AWS_CA_BUNDLE=\(caBundle) cannot be read as PEM certificates: " + SocketConnection.openSSLProblem()))
            }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            return .failure(.tls("the system's CA certificates cannot be loaded: " + SocketConnection.openSSLProblem()))
        }
        return .success(tls)
    }
}
