import COpenSSL

/// Process-wide OpenSSL set-up, done first thing in `main`.
public enum CryptoRuntime {
    /// Initialises OpenSSL without its atexit cleanup. By default OpenSSL frees its global state in an
    /// atexit handler, while other threads may still be inside OpenSSL: an SSH connection's dedicated
    /// thread freeing its libssh2 session, or exiting and running OpenSSL's thread-local destructors.
    /// That race crashed `apply` at exit with SIGSEGV / "malloc_consolidate(): invalid chunk size"
    /// (exit 139 after the summary: 1 run in 4 at 12 hosts, every run at 1,000). The kernel frees
    /// everything at exit anyway. Must come before any other OpenSSL call to take effect.
    /// - Returns: false when OpenSSL could not initialise (later calls report their own errors).
    @discardableResult
    public static func initialize() -> Bool {
        OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil) == 1
    }
}
