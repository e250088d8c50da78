import Synchronization

/// The SSH sessions apply installs over (design §5, step 4), bounded so that sockets, threads and memory
/// grow with parallelism, not with the fleet.
///
/// The probes offer the session of each host the caller says has work (`keeping`: apply passes
/// `Planner.needsHostCommands`, so the observer itself never asks the planner); the others are closed
/// at once. Sessions being probed count too: kept + probing never exceeds `limit`, because each probe
/// first evicts the oldest kept session when there is no room (`admitProbe`). So a 1,000-host apply at
/// parallelism 200 holds 200 sessions, like plan, not 200 probing + 200 kept; the hosts probed last keep
/// theirs, and the executor starts with them (`keptIds`). Every host's probe target is remembered, so
/// the executor opens a fresh session through the `HostConnector` port for a host whose session was not
/// kept, and again for one whose kept session died meanwhile (an idle timeout while a person read the
/// plan at the prompt). Each session is handed over once: whoever takes it closes it.
public final class HostSessions: Sendable {
    /// nil: sessions can only be handed out, never (re)opened (`init(_:)`).
    let connector: (any HostConnector)?
    /// How many sessions are open at once between the start of probing and execution (kept + probing).
    public let limit: Int
    /// Whether a probed host's session is worth keeping for the executor.
    let keeping: @Sendable (ObservedInstance) -> Bool
    private let state = Mutex(State())

    struct State {
        var kept: [String: any RemoteHost] = [:]
        /// Kept ids, oldest first (ids taken meanwhile are skipped when evicting).
        var keptOrder: [String] = []
        var targets: [String: HostTarget] = [:]
        /// Probes admitted and not yet finished.
        var probing = 0
    }

    public init(connector: any HostConnector, limit: Int, keeping: @escaping @Sendable (ObservedInstance) -> Bool) {
        self.connector = connector
        self.limit = max(0, limit)
        self.keeping = keeping
    }

    /// Only these sessions, none reopened: for callers that open sessions themselves.
    public init(_ sessions: [String: any RemoteHost]) {
        connector = nil
        limit = sessions.count
        keeping = { _ in false }
        state.withLock { $0.kept = sessions }
    }

    /// The ids of the hosts whose sessions are open and kept.
    public var keptIds: Set<String> { state.withLock { Set($0.kept.keys) } }

    /// A probe is about to open a session: counts it, and returns the oldest kept sessions that must make
    /// room for it (kept + probing ≤ `limit`), for the caller to close.
    func admitProbe() -> [any RemoteHost] {
        state.withLock { state in
            state.probing += 1
            var evicted: [any RemoteHost] = []
            while state.kept.count + state.probing > limit, !state.keptOrder.isEmpty {
                let oldest = state.keptOrder.removeFirst()
                if let session = state.kept.removeValue(forKey: oldest) { evicted.append(session) }
            }
            return evicted
        }
    }

    /// Ends an admitted probe. When `keep` (the host has work), remembers `target` for reopening and keeps
    /// `session` if there is room; otherwise returns the session, for the caller to close.
    func finishProbe(_ session: (any RemoteHost)?, for instanceId: String, target: HostTarget?, keep: Bool) -> (any RemoteHost)? {
        state.withLock { state in
            state.probing = max(0, state.probing - 1)
            if keep, let target { state.targets[instanceId] = target }
            guard let session else { return nil }
            guard keep, target != nil, state.kept.count < limit, state.kept[instanceId] == nil else { return session }
            state.kept[instanceId] = session
            state.keptOrder.append(instanceId)
            return nil
        }
    }

    /// The host's kept session (`kept` true) or a newly opened one; the caller closes it.
    func take(_ instanceId: String) async throws -> (session: any RemoteHost, kept: Bool) {
        if let session = state.withLock({ $0.kept.removeValue(forKey: instanceId) }) { return (session, true) }
        return (try await reopen(instanceId), false)
    }

    /// A new session to the host, with the target its probe used.
    func reopen(_ instanceId: String) async throws -> any RemoteHost {
        guard let connector, let target = state.withLock({ $0.targets[instanceId] }) else {
            throw HostConnectError(kind: .session, message: "no SSH session to \(instanceId) (it was not reachable when observed)")
        }
        return try await connector.open(target)
    }

    /// Closes every session still kept (all at once) and returns when they are closed.
    public func closeAll() async {
        let sessions = state.withLock { state -> [any RemoteHost] in
            defer { state.kept = [:]; state.keptOrder = [] }
            return Array(state.kept.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for session in sessions { group.addTask { await session.close() } }
        }
    }
}
