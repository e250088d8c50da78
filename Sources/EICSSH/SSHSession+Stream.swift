import CLibSSH2
import EICCore
import Foundation

/// A pseudo-terminal to request for a streamed session (an interactive shell, or `ssh -t`).
public struct SSHTerminal: Sendable {
    /// The terminal type sent to the server (`TERM`), e.g. `xterm-256color`.
    public var type: String
    /// Width in character cells.
    public var columns: Int
    /// Height in character cells.
    public var rows: Int
    /// Asked about four times a second while the session is idle; a changed answer is sent to the server
    /// as a window-change request, so full-screen programs follow a resized terminal.
    public var currentSize: @Sendable () -> (columns: Int, rows: Int)?

    /// A terminal of this type and size; `currentSize` reports later resizes (nil: never resized).
    public init(type: String, columns: Int, rows: Int,
                currentSize: @escaping @Sendable () -> (columns: Int, rows: Int)? = { nil }) {
        self.type = type
        self.columns = columns
        self.rows = rows
        self.currentSize = currentSize
    }
}

/// A remote session whose input and output are local file descriptors (the user's terminal, pipes),
/// pumped on the connection's dedicated thread as data arrives, like OpenSSH's client does.
public struct SSHStreamRequest: Sendable {
    /// The command to run; nil starts the user's login shell.
    public var command: RemoteCommand?
    /// A pseudo-terminal to allocate first; nil runs without one (output stays byte-exact).
    public var terminal: SSHTerminal?
    /// Read until end of file and forwarded to the remote side; its end is sent as EOF.
    public var input: Int32
    /// Receives the remote stdout.
    public var output: Int32
    /// Receives the remote stderr.
    public var errorOutput: Int32

    /// A request streaming the process's own stdin, stdout and stderr by default.
    public init(command: RemoteCommand?, terminal: SSHTerminal? = nil, input: Int32 = STDIN_FILENO,
                output: Int32 = STDOUT_FILENO, errorOutput: Int32 = STDERR_FILENO) {
        self.command = command
        self.terminal = terminal
        self.input = input
        self.output = output
        self.errorOutput = errorOutput
    }
}

/// How a streamed session ended.
public struct SSHStreamOutcome: Sendable, Equatable {
    /// The remote exit status, when the server sent one.
    public var exitStatus: Int32?
    /// The signal that ended the remote process (e.g. "KILL"), when it was killed.
    public var exitSignal: String?
    /// The local reader of the output went away (EPIPE, as in `… | head`): the session was closed early,
    /// as OpenSSH does, instead of reading output nobody takes forever.
    public var outputClosed = false
}

extension SSHConnection {
    /// Runs `request` until the remote side closes, streaming input and output as they come. Blocks this
    /// connection's thread (never the cooperative pool) for the whole session.
    public func stream(_ request: SSHStreamRequest) async throws -> SSHStreamOutcome {
        let holder = self.holder
        return try await thread.run {
            guard let session = holder.session else {
                throw SSHError(.session, operation: "open a session", message: "the connection is closed")
            }
            return try session.stream(request)
        }
    }
}

extension SSHSession {
    /// See `SSHConnection.stream(_:)`.
    func stream(_ request: SSHStreamRequest) throws(SSHError) -> SSHStreamOutcome {
        let operation = request.command == nil ? "open a shell on \(options.displayName)"
            : "run a command on \(options.displayName)"
        libssh2_session_set_blocking(raw, 1)
        guard let rawChannel = eic_libssh2_channel_open_session(raw) else {
            throw SSHError(.session, operation: operation, session: raw, message: "the server refused to open a session channel")
        }
        let channel = SSHChannel(session: self, raw: rawChannel)
        var size = request.terminal.map { (columns: $0.columns, rows: $0.rows) }
        if let terminal = request.terminal {
            let rc = terminal.type.withCString {
                libssh2_channel_request_pty_ex(channel.raw, $0, UInt32(strlen($0)), nil, 0,
                                               Int32(terminal.columns), Int32(terminal.rows), 0, 0)
            }
            guard rc == 0 else {
                throw SSHError(.session, operation: operation, session: raw, code: rc,
                               message: "the server refused a pseudo-terminal (PermitTTY no?)")
            }
        }
        let started = request.command.map { command in command.text.withCString { eic_libssh2_channel_exec(channel.raw, $0) } }
            ?? eic_libssh2_channel_shell(channel.raw)
        guard started == 0 else {
            throw SSHError(.session, operation: operation, session: raw, code: started,
                           message: request.command == nil ? "the server refused to start a shell" : "the server refused to run the command")
        }

        libssh2_session_set_blocking(raw, 0)
        // Also on a broken connection: later calls on this session (disconnect, free) expect blocking mode.
        defer { libssh2_session_set_blocking(raw, 1) }
        var inputOpen = true
        var pending: [UInt8] = []
        var eofSent = false
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        var outputClosed = false
        reading: while true {
            var progressed = false
            for (streamID, fd) in [(Int32(0), request.output), (SSH_EXTENDED_DATA_STDERR, request.errorOutput)] {
                let n = buffer.withUnsafeMutableBytes { out in
                    libssh2_channel_read_ex(channel.raw, streamID, out.baseAddress?.assumingMemoryBound(to: CChar.self), out.count)
                }
                if n > 0 {
                    // Only stdout's reader ending stops the session; a closed stderr just drops its bytes.
                    if !Self.writeAll(fd, buffer[..<n]) && fd == request.output {
                        outputClosed = true
                        break reading
                    }
                    progressed = true
                } else if n < 0 && n != LIBSSH2_ERROR_EAGAIN {
                    throw SSHError(.session, operation: operation, session: raw, code: Int32(n),
                                   message: "the connection broke while reading the session's output")
                }
            }
            if !pending.isEmpty {
                let n = pending.withUnsafeBytes {
                    eic_libssh2_channel_write(channel.raw, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
                }
                if n > 0 {
                    pending.removeFirst(n)
                    progressed = true
                } else if n < 0 && n != LIBSSH2_ERROR_EAGAIN {
                    throw SSHError(.session, operation: operation, session: raw, code: Int32(n),
                                   message: "the connection broke while sending input")
                }
            } else if !inputOpen && !eofSent {
                let rc = eic_libssh2_channel_send_eof(channel.raw)
                if rc == 0 { eofSent = true; progressed = true } else if rc != LIBSSH2_ERROR_EAGAIN {
                    throw SSHError(.session, operation: operation, session: raw, code: rc, message: "closing the session's input failed")
                }
            }
            if progressed { continue }
            if libssh2_channel_eof(channel.raw) == 1 { break }
            if let terminal = request.terminal, let now = terminal.currentSize(), let current = size,
               now.columns != current.columns || now.rows != current.rows {
                // EAGAIN leaves `size` unchanged, so the next idle round sends it again.
                if libssh2_channel_request_pty_size_ex(channel.raw, Int32(now.columns), Int32(now.rows), 0, 0) == 0 {
                    size = now
                }
            }
            if let read = waitForSocketOrInput(request.input, watchInput: inputOpen && pending.isEmpty, buffer: &buffer) {
                if read.isEmpty { inputOpen = false } else { pending += read }
            }
        }

        libssh2_session_set_blocking(raw, 1)
        if outputClosed {
            // Closing our side ends the remote command with SIGPIPE-like effect on its output; the exit
            // status may never come, so do not wait for it.
            _ = libssh2_channel_close(channel.raw)
            return SSHStreamOutcome(exitStatus: nil, exitSignal: nil, outputClosed: true)
        }
        _ = libssh2_channel_close(channel.raw)
        _ = libssh2_channel_wait_closed(channel.raw)
        let (status, signal) = channel.exitStatusAndSignal()
        return SSHStreamOutcome(exitStatus: status, exitSignal: signal)
    }

    /// Waits up to 250 ms for the socket (in the direction libssh2 needs) or for local input. Returns the
    /// bytes read from `input` when it was ready: empty at end of file (or on a read error), nil when
    /// nothing was read.
    private func waitForSocketOrInput(_ input: Int32, watchInput: Bool, buffer: inout [UInt8]) -> [UInt8]? {
        var events = Int16(POLLIN)
        if libssh2_session_block_directions(raw) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        var pollers = [pollfd(fd: socket, events: events, revents: 0)]
        if watchInput { pollers.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0)) }
        guard poll(&pollers, nfds_t(pollers.count), 250) > 0, watchInput,
              pollers[1].revents & Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0 else { return nil }
        let n = buffer.withUnsafeMutableBytes { Foundation.read(input, $0.baseAddress, $0.count) }
        if n > 0 { return Array(buffer[..<n]) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return nil }
        return []
    }

    /// Writes every byte to `fd`, waiting while it is full; false when the reader went away (EPIPE) or the
    /// descriptor failed otherwise.
    private static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                offset += n
            } else if n < 0 && (errno == EINTR || errno == EAGAIN) {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&poller, 1, 100)
            } else {
                return false
            }
        }
        return true
    }
}
