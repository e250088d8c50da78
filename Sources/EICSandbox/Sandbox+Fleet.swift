import EICCore
import Foundation
import Synchronization

extension Sandbox {
    /// Prepares (instance.env, mkroot.sh) and starts (start.sh) every instance, `parallelism` at a time,
    /// then waits until each instance has booted and each reachable one's sshd accepts connections.
    /// After a failure or an interruption no new instance begins; those in flight finish starting (their
    /// holder.pid is how the rollback finds them).
    static func startFleet(_ fleet: [(SandboxState.Instance, Personality)], options: SandboxOptions, layout: SandboxLayout,
                           endpoint: String, fleetPublicKey: String,
                           progress: @escaping @Sendable (String) -> Void) async throws(SandboxError) -> [SandboxState.Instance] {
        let scripts = layout.instanceScripts
        let tally = Mutex(FleetTally())
        let total = fleet.count
        let results = await BoundedConcurrency.map(fleet, maxInFlight: options.parallelism) { instance, personality in
            guard !Task.isCancelled, tally.withLock({ !$0.failed }) else { throw SandboxError.interrupted }
            do throws(SandboxError) {
                try writeInstanceEnvironment(instance, personality: personality, endpoint: endpoint, scripts: scripts)
                try await Subprocess.check(scripts + "/mkroot.sh", [instance.rootDirectory, fleetPublicKey])
                let output = try await Subprocess.check(scripts + "/start.sh", [instance.rootDirectory, instance.ipAddress])
                guard let pid = Int32(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw SandboxError.notReady("start.sh printed no pid for \(instance.instanceId)")
                }
                let done = tally.withLock { $0.started += 1; return $0.started }
                if done % 50 == 0 || done == total { progress("fleet: \(done)/\(total) instances started") }
                return pid
            } catch {
                tally.withLock { $0.failed = true }
                throw error
            }
        }
        try checkInterruption()
        var started: [SandboxState.Instance] = []
        for ((instance, _), result) in zip(fleet, results) {
            switch result {
            case .success(let pid):
                var running = instance
                running.pid = pid
                started.append(running)
            case .failure(let error as SandboxError) where !error.isInterruption:
                throw error
            case .failure:
                continue  // not begun because another instance failed: that failure is thrown above or below
            }
        }
        if started.count < fleet.count {
            throw .notReady("only \(started.count) of \(fleet.count) instances started")
        }
        for (instance, personality) in fleet {
            try await waitUntilBooted(instance, expectingSSHD: personality.runsSSHD, timeout: 120)
        }
        progress("fleet: every reachable sshd answers on its loopback address")
        return started
    }

    /// The instance's run/instance.env: its identity, its personality's row and its image's image.env,
    /// the one file the instance scripts read (mkroot.sh, nsinit.sh, the stand-ins).
    static func writeInstanceEnvironment(_ instance: SandboxState.Instance, personality: Personality, endpoint: String,
                                         scripts: String) throws(SandboxError) {
        let values = [("INSTANCE_ID", instance.instanceId), ("IP", instance.ipAddress), ("AWSD_URL", endpoint),
                      ("SANDBOX_HOME", scripts)]
            + personality.scriptEnvironment
            + personality.image.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let text = values.map { "\($0.0)=\(ShellQuote.quote($0.1))\n" }.joined()
        let run = instance.rootDirectory + "/run"
        do {
            try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            try text.write(toFile: run + "/instance.env", atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: run + "/instance.env")
        } catch {
            throw .state("cannot write \(run)/instance.env: \(error.localizedDescription)")
        }
    }

    /// The known_hosts handed out: each instance's key line as mkroot.sh wrote it (for hostkey-changed,
    /// deliberately a different key than the one its sshd presents).
    static func writeKnownHosts(_ state: SandboxState) throws(SandboxError) {
        var text = ""
        for instance in state.instances {
            guard let line = try? String(contentsOfFile: instance.rootDirectory + "/known_hosts_line", encoding: .utf8) else {
                throw .state("no known_hosts_line for \(instance.instanceId) in \(instance.rootDirectory)")
            }
            text += line.hasSuffix("\n") ? line : line + "\n"
        }
        do {
            try text.write(toFile: state.knownHostsPath, atomically: true, encoding: .utf8)
        } catch {
            throw .state("cannot write \(state.knownHostsPath): \(error.localizedDescription)")
        }
    }

    /// Waits until the instance has booted (run/booted: its first-boot work, such as a preinstalled package,
    /// is done, so nothing changes its files behind the caller's back) and, when it runs an sshd, until that
    /// sshd listens: its run/sshd.pid (written by sshd after binding) and a TCP connect. A connect alone
    /// could be answered by some other sshd on the same address.
    static func waitUntilBooted(_ instance: SandboxState.Instance, expectingSSHD: Bool, timeout: Double) async throws(SandboxError) {
        let run = instance.rootDirectory + "/run"
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try checkInterruption()
            if FileManager.default.fileExists(atPath: run + "/sshd.failed") {
                throw .notReady("\(instance.instanceId) failed to start (see \(run)/nsinit.log and sshd.log)")
            }
            if FileManager.default.fileExists(atPath: run + "/booted"),
               !expectingSSHD || (FileManager.default.fileExists(atPath: run + "/sshd.pid")
                                  && Loopback.isListening(host: instance.ipAddress, port: 22)) {
                return
            }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        let what = expectingSSHD ? "is not listening on \(instance.ipAddress):22" : "did not finish booting"
        throw .notReady("\(instance.instanceId) \(what) after \(Int(timeout)) s (see \(run)/nsinit.log and sshd.log)")
    }

    static func freeLoopbackPort() throws(SandboxError) -> Int {
        guard let port = Loopback.freePort() else { throw .notReady("no free port on 127.0.0.1") }
        return port
    }
}

/// How the fleet's start is going, shared by the tasks starting instances.
private struct FleetTally {
    var started = 0
    var failed = false
}
