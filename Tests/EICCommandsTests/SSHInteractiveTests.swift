import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// The interactive shell of `eicsetup ssh`, driven like a person would through a real terminal: tmux.
@Suite struct SSHInteractiveTests {
    /// One tmux server on a private socket.
    struct Tmux {
        let socket: String

        func run(_ arguments: [String]) async throws -> Subprocess.Result {
            try await Subprocess.run("/usr/bin/tmux", ["-S", socket] + arguments)
        }

        /// The visible text of the pane.
        func screen() async throws -> String {
            try await run(["capture-pane", "-p", "-J", "-t", "eic"]).stdout
        }

        /// (rows, columns) of the pane, as tmux sees it.
        func paneSize() async throws -> String {
            try await run(["display-message", "-p", "-t", "eic", "#{pane_height} #{pane_width}"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Types `line` and Enter.
        func type(_ line: String) async throws {
            _ = try await run(["send-keys", "-t", "eic", "-l", line])
            _ = try await run(["send-keys", "-t", "eic", "Enter"])
        }

        /// Waits until the screen satisfies `condition`; returns the screen.
        func waitForScreen(timeout: Double = 30, _ condition: (String) -> Bool) async throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let text = try await screen()
                if condition(text) { return text }
                guard Date() < deadline else { throw PeerError("tmux screen never matched; it shows:\n\(text)") }
                try await Task.sleep(nanoseconds: 200_000_000)
            }
        }
    }

    static func waitForFile(_ path: String, tmux: Tmux, timeout: Double = 30) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
            guard Date() < deadline else {
                throw PeerError("\(path) did not appear; the screen shows:\n\(try await tmux.screen())")
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
    }

    @Test func anInteractiveShellInTmuxRunsCommandsFollowsResizesAndRestoresTheTerminal() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 132) { fixture in
            let instance = try #require(fixture.instance("al2-current"))
            try await SSHCommandTests.grant(fixture, name: "eic-ssh-tmux", instanceIds: [instance.instanceId], osUsers: ["ec2-user"])
            let home = try SSHCommandTests.scratch("tmux")
            defer { try? FileManager.default.removeItem(atPath: home) }

            // The terminal's settings are saved before and after the session, by the same shell.
            let exports = SSHCommandTests.environment(fixture, home: home)
                .filter { $0.key.hasPrefix("AWS_") || ["HOME", "TMPDIR", "PATH"].contains($0.key) }
                .map { "export \($0.key)='\($0.value)'" }.sorted().joined(separator: "\n")
            // Four sessions in a row: ended by `exit`, by a dropped connection, by SIGTERM and by SIGINT to eicsetup.
            // The shell is dash (`sh`), which, unlike bash, does not reset the terminal after a killed job.
            let script = """
                \(exports)
                export TERM=xterm-256color
                session() {
                    stty -a > '\(home)/before'$1
                    sh -c 'echo $$ > "$1"; exec "$2" ssh --known-hosts "$3" "$4"' session '\(home)/pid'$1 \\
                        '\(RepositoryPaths.eicsetupBinary)' '\(fixture.state.knownHostsPath)' ec2-user@\(instance.instanceId)
                    status=$?
                    stty -a > '\(home)/after'$1
                    echo "exit=$status" > '\(home)/status'$1
                }
                session 1; session 2; session 3; session 4
                exec sleep 600
                """
            try script.write(toFile: home + "/session.sh", atomically: true, encoding: .utf8)
            let tmux = Tmux(socket: home + "/tmux.sock")
            let started = try await tmux.run(["-f", "/dev/null", "new-session", "-d", "-s", "eic", "-x", "100", "-y", "30",
                                              "sh '\(home)/session.sh'"])
            #expect(started.status == 0, "tmux: \(started.stderr)")
            do {
                try await Self.drive(tmux, home: home)
                _ = try? await tmux.run(["kill-server"])
            } catch {
                _ = try? await tmux.run(["kill-server"])
                throw error
            }
        }
    }

    /// Types into the session like a person, checking the screen as it goes.
    static func drive(_ tmux: Tmux, home: String) async throws {
        _ = try await Self.waitForFile(home + "/before1", tmux: tmux)

        // A command typed at the remote prompt runs there, on a pseudo-terminal.
        try await tmux.type("echo \"$((6 * 7))-on-$(id -un)\"; tty")
        var screen = try await tmux.waitForScreen { $0.contains("42-on-ec2-user") && $0.contains("\n/dev/pts/") }

        // The remote terminal has the local window's size, and follows a resize.
        let size = try await tmux.paneSize()
        try await tmux.type("echo \"size=$(stty size)\"")
        screen = try await tmux.waitForScreen { $0.contains("size=\(size)") }
        _ = try await tmux.run(["resize-window", "-t", "eic", "-x", "120", "-y", "40"])
        let resized = try await tmux.paneSize()
        #expect(resized != size)
        try await tmux.type("sleep 1; echo \"resized=$(stty size)\"")
        screen = try await tmux.waitForScreen { $0.contains("resized=\(resized)") }

        // ^C goes to the remote side (raw mode): it interrupts the remote sleep, not eicsetup.
        try await tmux.type("sleep 30; echo after-sleep")
        try await Task.sleep(nanoseconds: 1_000_000_000)
        _ = try await tmux.run(["send-keys", "-t", "eic", "C-c"])
        try await tmux.type("echo still-connected")
        screen = try await tmux.waitForScreen { $0.contains("\nstill-connected") }
        #expect(!screen.contains("\nafter-sleep"))

        // exit ends the session with the shell's status, and the local terminal is as it was.
        try await tmux.type("exit 3")
        #expect(try await Self.waitForFile(home + "/status1", tmux: tmux) == "exit=3\n")
        try Self.expectRestored(home, session: 1)

        // The connection dies under the session: exit 255, terminal restored.
        _ = try await Self.waitForFile(home + "/before2", tmux: tmux)
        try await tmux.type("echo \"ready-$((1 + 1))\"")
        _ = try await tmux.waitForScreen { $0.contains("\nready-2") }
        // Both sshd processes of the session go (the unprivileged child and its root monitor, which also holds
        // the socket), so the TCP connection closes at once, as when a host or network goes away.
        try await tmux.type("sudo -n kill -9 $(ps -o ppid= -p $PPID) $PPID")
        #expect(try await Self.waitForFile(home + "/status2", tmux: tmux) == "exit=255\n")
        try Self.expectRestored(home, session: 2)

        // eicsetup itself is terminated mid-session: the terminal is restored before it dies of the signal.
        try await Self.signalSession(3, SIGTERM, tmux: tmux, home: home)
        // SIGINT (a `kill -INT`, or ^C before raw mode began) restores it too before eicsetup dies of it.
        try await Self.signalSession(4, SIGINT, tmux: tmux, home: home)
    }

    /// Once session `n` is ready, sends eicsetup `signal`: it must die of it (exit 128 + signal) with the
    /// terminal as it was before the session.
    static func signalSession(_ n: Int, _ signal: Int32, tmux: Tmux, home: String) async throws {
        _ = try await Self.waitForFile(home + "/before\(n)", tmux: tmux)
        try await tmux.type("echo \"ready-$((\(n) + 0))\"")
        _ = try await tmux.waitForScreen { $0.contains("\nready-\(n)") }
        let pid = try #require(Int32(try String(contentsOfFile: home + "/pid\(n)", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, signal)
        #expect(try await Self.waitForFile(home + "/status\(n)", tmux: tmux) == "exit=\(128 + signal)\n")
        try Self.expectRestored(home, session: n)
    }

    /// `stty -a` after session `n` equals the one before it (the size line aside: the window was resized).
    static func expectRestored(_ home: String, session n: Int) throws {
        let before = try String(contentsOfFile: home + "/before\(n)", encoding: .utf8)
        let after = try String(contentsOfFile: home + "/after\(n)", encoding: .utf8)
        let modes = { (text: String) in text.split(separator: "\n").filter { !$0.contains("rows") }.joined(separator: "\n") }
        #expect(modes(before) == modes(after), "session \(n): stty -a before:\n\(before)\nafter:\n\(after)")
        #expect(before.contains("icanon") && before.contains(" echo "), "the terminal started in cooked mode")
    }
}
