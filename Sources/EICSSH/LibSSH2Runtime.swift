import CLibSSH2

/// Process-wide libssh2 initialisation.
enum LibSSH2Runtime {
    /// `libssh2_init` is not thread-safe; a `static let` is initialised exactly once (swift_once),
    /// whichever thread gets there first.
    private static let status: Int32 = libssh2_init(0)

    /// Makes sure libssh2 is initialised; throws if it could not be.
    static func ensureInitialized() throws(SSHError) {
        guard status == 0 else {
            throw SSHError(.session, operation: "libssh2_init", message: "libssh2 could not initialise its crypto backend (code \(status))")
        }
    }
}
