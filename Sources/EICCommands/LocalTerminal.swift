import Foundation

/// The user's terminal for an interactive session: its size, and raw mode that is always undone.
enum LocalTerminal {
    /// The window size of the terminal on `fd`, or nil when it is not a terminal.
    static func size(_ fd: Int32 = STDIN_FILENO) -> (columns: Int, rows: Int)? {
        var window = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0, window.ws_row > 0 else { return nil }
        return (Int(window.ws_col), Int(window.ws_row))
    }

    /// Puts the terminal on `fd` into raw mode (as OpenSSH's client does: no echo, no line editing, no
    /// signals from ^C/^Z — they go to the remote side), runs `body`, and restores the saved mode
    /// afterwards, also when `body` throws. A SIGTERM, SIGHUP, SIGQUIT or SIGINT meanwhile restores it too.
    static func withRawMode<T>(_ fd: Int32 = STDIN_FILENO, _ body: () async throws -> T) async rethrows -> T {
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return try await body() }
        var raw = saved
        cfmakeraw(&raw)
        // Keep output post-processing (\n → \r\n) off like cfmakeraw, but read one byte at a time without delay.
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        RestoreOnSignal.arm(fd: fd, saved: saved)
        _ = tcsetattr(fd, TCSADRAIN, &raw)
        defer {
            _ = tcsetattr(fd, TCSADRAIN, &saved)
            RestoreOnSignal.disarm()
        }
        return try await body()
    }
}

/// Restores the terminal when the process is killed while in raw mode. The handler only calls
/// async-signal-safe functions (tcsetattr, signal, raise) on values stored before it was installed.
private enum RestoreOnSignal {
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var saved = termios()
    /// SIGINT too: in raw mode ^C is a byte for the remote side, but a `kill -INT` (or a ^C typed just
    /// before raw mode began) still arrives, and a shell such as dash does not reset the terminal after it.
    static let signals: [Int32] = [SIGTERM, SIGHUP, SIGQUIT, SIGINT]

    static func arm(fd: Int32, saved: termios) {
        Self.saved = saved
        Self.fd = fd
        for number in signals {
            signal(number) { number in
                _ = tcsetattr(RestoreOnSignal.fd, TCSADRAIN, &RestoreOnSignal.saved)
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    static func disarm() {
        for number in signals { signal(number, SIG_DFL) }
        fd = -1
    }
}
