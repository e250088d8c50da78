import Foundation

extension Sandbox {
    /// Stops every process the sandbox started (by pid, checked against its command line), then removes
    /// the state directory (it holds the sandbox's keys). Safe to run twice.
    @discardableResult
    public static func down(stateDirectory: String, layout: SandboxLayout,
                            progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(SandboxError) -> Bool {
        let state = try SandboxState.load(from: stateDirectory)
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
        guard state != nil || awsdPid != nil || !instancePids.isEmpty else {
            progress("no sandbox in \(stateDirectory); nothing to stop")
            return false
        }
        let unique = Array(Set(instancePids))
        // SIGTERM to all first (nsinit kills its whole namespace), then wait for each: 200 instances stop in parallel.
        for pid in unique where ProcessTable.isRunning(pid, marker: instanceMarker) { kill(pid, SIGTERM) }
        await withTaskGroup(of: Void.self) { group in
            for pid in unique {
                group.addTask { await ProcessTable.stop(pid, marker: instanceMarker, grace: 10) }
            }
        }
        if let awsdPid { await ProcessTable.stop(awsdPid, marker: awsdMarker, grace: 5) }
        progress("stopped \(unique.count) instances and the local AWS")
        // The empty mount targets hostprep.sh made may be in use by another sandbox's namespaces
        // (removing a mountpoint detaches it there), so they go only when no instance runs anywhere.
        if !ProcessTable.anyRunning(marker: instanceMarker) {
            _ = try? await Subprocess.run(layout.instanceScripts + "/hostprep.sh", ["--undo"])
        }
        do {
            try FileManager.default.removeItem(atPath: stateDirectory)
        } catch {
            throw .state("stopped everything but could not remove \(stateDirectory): \(error.localizedDescription)")
        }
        return true
    }
}
