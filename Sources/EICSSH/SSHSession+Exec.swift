import CLibSSH2
import EICCore
import Foundation

/// An open channel (exec or streamed). It holds its session strongly, so the session cannot be freed under it.
final class SSHChannel {
    let session: SSHSession
    let raw: OpaquePointer
    init(session: SSHSession, raw: OpaquePointer) {
        self.session = session
        self.raw = raw
    }
    deinit { libssh2_channel_free(raw) }

    /// After the channel closed: the exit status, or the signal name (e.g. "KILL") when a signal ended it.
    func exitStatusAndSignal() -> (status: Int32?, signal: String?) {
        var signalPointer: UnsafeMutablePointer<CChar>?
        var signalLength = 0
        _ = libssh2_channel_get_exit_signal(raw, &signalPointer, &signalLength, nil, nil, nil, nil)
        guard let signalPointer else { return (libssh2_channel_get_exit_status(raw), nil) }
        let signal = String(cString: signalPointer)
        libssh2_free(session.raw, signalPointer)
        return (nil, signal)
    }
}

extension SSHSession {
    /// Runs `command`, feeds it `stdin`, and collects stdout, stderr and the exit status separately.
    /// Reads both streams as data arrives (non-blocking), so a command that fills stderr cannot stall.
    ///
    /// The whole call, closing included, ends within `timeoutMilliseconds` (plus one poll interval): on
    /// timeout the connection is cut (see `abandon`), and every later call on this session fails and says so.
    ///
    /// More than `outputLimit` bytes of stdout and stderr together also cut the connection: a host that
    /// never stops writing must not grow this process's memory.
    func exec(_ command: String, stdin: [UInt8], timeoutMilliseconds: Int,
              outputLimit: Int = RemoteCommand.defaultOutputLimit) throws(SSHError) -> CommandResult {
        let operation = "run a command on \(options.displayName)"
        if let abandonedReason {
            throw SSHError(.session, operation: operation,
                           message: "this connection was closed because \(abandonedReason); open a new connection")
        }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeoutMilliseconds)) * 1_000_000
        libssh2_session_set_blocking(raw, 1)
        guard let rawChannel = eic_libssh2_channel_open_session(raw) else {
            throw SSHError(.session, operation: operation, session: raw, message: "the server refused to open a session channel")
        }
        let channel = SSHChannel(session: self, raw: rawChannel)
        let rc = command.withCString { eic_libssh2_channel_exec(channel.raw, $0) }
        guard rc == 0 else {
            throw SSHError(.session, operation: operation, session: raw, code: rc, message: "the server refused to run the command")
        }
        let limit = timeoutMilliseconds % 1000 == 0 ? "\(timeoutMilliseconds / 1000) s" : "\(timeoutMilliseconds) ms"
        let timedOut = { [self] () -> SSHError in
            abandon(reason: "a command timed out after \(limit)")
            return SSHError(.timeout, operation: operation, message: """
                the command did not finish within \(limit); the connection was closed \
                under it (the host may still be running it: check it before retrying)
                """)
        }

        libssh2_session_set_blocking(raw, 0)
        defer { libssh2_session_set_blocking(raw, 1) }
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var written = 0
        var eofSent = false
        // 8 KiB per read: one such buffer lives for every command in flight (200 at the default
        // parallelism, each waiting seconds on an install), and a bigger one only saves loop turns.
        var buffer = [UInt8](repeating: 0, count: 8 * 1024)
        while true {
            var progressed = false
            if written < stdin.count {
                let n = stdin[written...].withUnsafeBytes {
                    eic_libssh2_channel_write(channel.raw, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
                }
                if n > 0 { written += n; progressed = true } else if n != LIBSSH2_ERROR_EAGAIN {
                    throw SSHError(.session, operation: operation, session: raw, code: Int32(n), message: "writing the command's input failed")
                }
            } else if !eofSent {
                let n = eic_libssh2_channel_send_eof(channel.raw)
                if n == 0 { eofSent = true } else if n != LIBSSH2_ERROR_EAGAIN {
                    throw SSHError(.session, operation: operation, session: raw, code: n, message: "closing the command's input failed")
                }
            }
            for isStderr in [false, true] {
                let n = buffer.withUnsafeMutableBufferPointer { out in
                    out.withMemoryRebound(to: CChar.self) { chars in
                        isStderr ? eic_libssh2_channel_read_stderr(channel.raw, chars.baseAddress, chars.count)
                            : eic_libssh2_channel_read(channel.raw, chars.baseAddress, chars.count)
                    }
                }
                if n > 0 {
                    guard stdout.count + stderr.count + n <= outputLimit else {
                        abandon(reason: "a command sent more than \(outputLimit) bytes of output")
                        throw SSHError(.outputLimit, operation: operation,
                                       message: "the command sent more than \(outputLimit) bytes of output; the connection was closed")
                    }
                    if isStderr { stderr += buffer.prefix(n) } else { stdout += buffer.prefix(n) }
                    progressed = true
                } else if n < 0 && n != LIBSSH2_ERROR_EAGAIN {
                    throw SSHError(.session, operation: operation, session: raw, code: Int32(n), message: "reading the command's output failed")
                }
            }
            // A command that never stops writing must time out too, not only one that goes quiet.
            if progressed {
                guard DispatchTime.now().uptimeNanoseconds < deadline else { throw timedOut() }
                continue
            }
            if libssh2_channel_eof(channel.raw) == 1 { break }
            guard waitForSocket(until: deadline) else { throw timedOut() }
        }

        // sshd closes the channel only once the command has exited, which can be long after its output
        // ended (a daemon that closed stdout): closing is bounded by the same deadline.
        for step in [{ libssh2_channel_close(channel.raw) }, { libssh2_channel_wait_closed(channel.raw) }] {
            while step() == LIBSSH2_ERROR_EAGAIN {
                guard waitForSocket(until: deadline) else { throw timedOut() }
            }
        }
        let (status, signal) = channel.exitStatusAndSignal()
        return CommandResult(stdout: stdout, stderr: stderr, exitStatus: status, exitSignal: signal)
    }

    /// Cuts the connection under an overrunning command, without waiting for the command.
    ///
    /// A polite channel close waits for the command to exit (sshd sends the channel's close only then),
    /// which is how a hung yum once held the caller for as long as it ran. Shutting the socket down makes
    /// sshd drop the connection and every later libssh2 call on this session fail at once instead of
    /// blocking; `exec` then refuses with `reason`. sshd closes the command's pipes, but does not signal a
    /// command that has no terminal: it ends when it next writes, or by itself. Stopping it outright needs
    /// the "signal" channel request, which libssh2 1.10 cannot send on a channel that already runs a
    /// command (libssh2 1.11 has `libssh2_channel_signal_ex`).
    private func abandon(reason: String) {
        _ = shutdown(socket, Int32(SHUT_RDWR))
        abandonedReason = reason
    }

    /// Sleeps until the socket is ready in the direction libssh2 is blocked on, for at most 200 ms.
    /// - Returns: false when `deadline` (uptime nanoseconds) has passed, so the caller gives up.
    private func waitForSocket(until deadline: UInt64) -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < deadline else { return false }
        let directions = libssh2_session_block_directions(raw)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var poller = pollfd(fd: socket, events: events, revents: 0)
        _ = poll(&poller, 1, Int32(min(UInt64(200), (deadline - now) / 1_000_000 + 1)))
        return true
    }
}
