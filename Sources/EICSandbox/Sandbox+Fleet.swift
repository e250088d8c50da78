import Foundation

extension Sandbox {
    /// Prepares (mkroot.sh) and starts (start.sh) every instance, `parallelism` at a time, then waits until
    /// each reachable instance's sshd accepts connections.
    static func startFleet(_ instances: [SandboxState.Instance], options: SandboxOptions, layout: SandboxLayout,
                           endpoint: String, fleetPublicKey: String,
                           progress: @escaping @Sendable (String) -> Void) async throws(SandboxError) -> [SandboxState.Instance] {
        let scripts = layout.instanceScripts
        var started = instances
        var next = 0
        var done = 0
        var failure: SandboxError?
        await withTaskGroup(of: (Int, Result<Int32, SandboxError>).self) { group in
            func launch(_ index: Int) {
                let instance = instances[index]
                group.addTask {
                    do throws(SandboxError) {
                        try await Subprocess.check(scripts + "/mkroot.sh", [
                            instance.personality.rawValue, instance.rootDirectory, instance.instanceId,
                            instance.ipAddress, endpoint, fleetPublicKey,
                        ])
                        let output = try await Subprocess.check(scripts + "/start.sh", [instance.rootDirectory, instance.ipAddress])
                        guard let pid = Int32(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                            throw SandboxError.notReady("start.sh printed no pid for \(instance.instanceId)")
                        }
                        return (index, .success(pid))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(options.parallelism, instances.count) {
                launch(next)
                next += 1
            }
            for await (index, result) in group {
                switch result {
                case .success(let pid):
                    started[index].pid = pid
                case .failure(let error):
                    failure = failure ?? error
                }
                done += 1
                if done % 50 == 0 || done == instances.count { progress("fleet: \(done)/\(instances.count) instances started") }
                // Once interrupted, the instances in flight finish starting (their holder.pid is how the
                // rollback finds them) but no new one begins.
                if failure == nil, !Task.isCancelled, next < instances.count {
                    launch(next)
                    next += 1
                }
            }
        }
        try checkInterruption()
        if let failure { throw failure }
        for instance in started where instance.personality.isReachable {
            try await waitForSSHD(instance, timeout: 120)
        }
        progress("fleet: every reachable sshd answers on its loopback address")
        return started
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

    /// Waits until the instance's own sshd listens: its run/sshd.pid (written by sshd after binding) and
    /// a TCP connect. A connect alone could be answered by some other sshd on the same address.
    static func waitForSSHD(_ instance: SandboxState.Instance, timeout: Double) async throws(SandboxError) {
        let run = instance.rootDirectory + "/run"
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try checkInterruption()
            if FileManager.default.fileExists(atPath: run + "/sshd.failed") {
                throw .notReady("sshd of \(instance.instanceId) failed to start (see \(run)/sshd.log)")
            }
            if FileManager.default.fileExists(atPath: run + "/sshd.pid"), Loopback.isListening(host: instance.ipAddress, port: 22) {
                return
            }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        throw .notReady("sshd of \(instance.instanceId) is not listening on \(instance.ipAddress):22 after \(Int(timeout)) s "
                        + "(see \(run)/)")
    }

    static func freeLoopbackPort() throws(SandboxError) -> Int {
        guard let port = Loopback.freePort() else { throw .notReady("no free port on 127.0.0.1") }
        return port
    }
}
