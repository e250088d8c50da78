import Foundation

/// The processes a state directory accounts for: from state.json when `up` finished, else from the
/// pid files written while it ran (awsd.pid, each instance's run/holder.pid).
struct SandboxProcesses {
    let state: SandboxState?
    let awsdPid: Int32?
    let instancePids: [Int32]

    init(stateDirectory: String) {
        let state = try? SandboxState.load(from: stateDirectory)
        var instancePids = state?.instances.map(\.pid) ?? []
        // Instances started before a crash are in their root's holder.pid even if state.json was never written.
        let roots = (try? FileManager.default.contentsOfDirectory(atPath: stateDirectory + "/instances")) ?? []
        for root in roots {
            if let text = try? String(contentsOfFile: "\(stateDirectory)/instances/\(root)/run/holder.pid", encoding: .utf8),
               let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                instancePids.append(pid)
            }
        }
        var awsdPid = state?.awsdPid
        if awsdPid == nil, let text = try? String(contentsOfFile: stateDirectory + "/awsd.pid", encoding: .utf8) {
            awsdPid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        self.state = state
        self.awsdPid = awsdPid
        self.instancePids = Array(Set(instancePids.filter { $0 > 0 }))
    }

    var anyRunning: Bool {
        awsdPid.map { ProcessTable.isRunning($0, marker: Sandbox.awsdMarker) } == true
            || instancePids.contains { ProcessTable.isRunning($0, marker: Sandbox.instanceMarker) }
    }
}

extension Sandbox {
    /// Stops every process the sandbox started (by pid, checked against its command line), then removes
    /// the state directory (it holds the sandbox's keys). Safe to run twice; false when there was nothing.
    @discardableResult
    public static func down(stateDirectory: String, layout: SandboxLayout,
                            progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(SandboxError) -> Bool {
        guard FileManager.default.fileExists(atPath: stateDirectory) else {
            SandboxHost.releaseClaims(of: stateDirectory)
            progress("no sandbox in \(stateDirectory); nothing to stop")
            return false
        }
        if (try? SandboxState.load(from: stateDirectory)) == nil, FileManager.default.fileExists(atPath: SandboxState.path(in: stateDirectory)) {
            // Report an unreadable state.json instead of guessing which processes it named.
            _ = try SandboxState.load(from: stateDirectory)
        }
        let processes = SandboxProcesses(stateDirectory: stateDirectory)
        let pids = processes.instancePids
        // SIGTERM to all first (nsinit kills its whole namespace), then wait for each: 200 instances stop in parallel.
        for pid in pids where ProcessTable.isRunning(pid, marker: instanceMarker) { kill(pid, SIGTERM) }
        await withTaskGroup(of: Void.self) { group in
            for pid in pids {
                group.addTask { await ProcessTable.stop(pid, marker: instanceMarker, grace: 10) }
            }
        }
        if let awsdPid = processes.awsdPid { await ProcessTable.stop(awsdPid, marker: awsdMarker, grace: 5) }
        progress("stopped \(pids.count) instances and the local AWS")
        // The empty mount targets hostprep.sh made may be in use by another sandbox's namespaces (removing
        // a mountpoint detaches it there) or about to be (an `up` holds the lock shared while it starts),
        // so they go only when no `up` is starting and no instance runs anywhere.
        if let lock = try? SandboxHost.mountTargetsLock(exclusive: true, wait: false) {
            if !ProcessTable.anyRunning(marker: instanceMarker) {
                _ = try? await Subprocess.run(layout.instanceScripts + "/hostprep.sh", ["--undo"])
            }
            lock.release()
        }
        do {
            try FileManager.default.removeItem(atPath: stateDirectory)
        } catch {
            throw .state("stopped everything but could not remove \(stateDirectory): \(error.localizedDescription)")
        }
        SandboxHost.releaseClaims(of: stateDirectory)
        return true
    }
}
