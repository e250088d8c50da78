import Foundation

extension Sandbox {
    /// Prepares (mkroot.sh) and starts (start.sh) every instance, `parallelism` at a time, then waits until
    /// each reachable instance's sshd accepts connections.
    static func startFleet(_ instances: [SandboxState.Instance], options: SandboxOptions, layout: SandboxLayout,
                           endpoint: String, fleetPublicKey: String, partial: inout PartialSandbox,
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
                    partial.instancePids.append(pid)
                case .failure(let error):
                    failure = failure ?? error
                }
                done += 1
                if done % 50 == 0 || done == instances.count { progress("fleet: \(done)/\(instances.count) instances started") }
                if failure == nil, next < instances.count {
                    launch(next)
                    next += 1
                }
            }
        }
        if let failure { throw failure }
        for instance in started where instance.personality.isReachable {
            try await waitForListener(host: instance.ipAddress, port: 22, timeout: 120,
                                      what: "sshd of \(instance.instanceId) (see \(instance.rootDirectory)/run/)")
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

    /// Polls with TCP connects (never HTTP: moto counts requests) until host:port listens.
    static func waitForListener(host: String, port: Int, timeout: Double, what: String) async throws(SandboxError) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if Loopback.isListening(host: host, port: port) { return }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        throw .notReady("\(what) is not listening on \(host):\(port) after \(Int(timeout)) s")
    }

    static func freeLoopbackPort() throws(SandboxError) -> Int {
        guard let port = Loopback.freePort() else { throw .notReady("no free port on 127.0.0.1") }
        return port
    }
}

/// What has been started so far, so a failed `up` can stop it again.
struct PartialSandbox {
    let directory: String
    let awsdPid: Int32
    var instancePids: [Int32] = []

    /// Records the awsd pid before anything else, so even a crash mid-way leaves `down` a handle.
    func saveMarker() throws(SandboxError) {
        do {
            try String(awsdPid).write(toFile: directory + "/awsd.pid", atomically: true, encoding: .utf8)
        } catch {
            throw .state("cannot write \(directory)/awsd.pid")
        }
    }

    func stop() async {
        for pid in instancePids { await ProcessTable.stop(pid, marker: Sandbox.instanceMarker, grace: 5) }
        await ProcessTable.stop(awsdPid, marker: Sandbox.awsdMarker, grace: 5)
    }
}
