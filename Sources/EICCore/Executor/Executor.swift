import Foundation
import Synchronization

/// Carries out planned actions through the ports (design §5, step 4): IAM and security groups first —
/// the two concurrently, each in order — then the instances, `parallelism` at a time. It prints
/// nothing: it reports events that the views render. After a Ctrl-C (`stop()`), no new action starts;
/// running ones finish or time out.
public final class Executor: Sendable {
    let cloud: any CloudAPI
    let sessions: HostSessions
    let parallelism: Int
    let onEvent: @Sendable (ExecutionEvent) -> Void
    private let stopped = Mutex(false)

    /// `sessions`: the hosts' sessions (kept by the probes, or reopened through its connector); each
    /// host's session is closed once its action is done.
    public init(cloud: any CloudAPI, sessions: HostSessions, parallelism: Int = 10,
                onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }) {
        self.cloud = cloud
        self.sessions = sessions
        self.parallelism = parallelism
        self.onEvent = onEvent
    }

    /// Over these open sessions only (none is reopened).
    public convenience init(cloud: any CloudAPI, sessions: [String: any RemoteHost], parallelism: Int = 10,
                            onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }) {
        self.init(cloud: cloud, sessions: HostSessions(sessions), parallelism: parallelism, onEvent: onEvent)
    }

    /// Starts no further actions (running ones finish).
    public func stop() { stopped.withLock { $0 = true } }

    var isStopped: Bool { stopped.withLock { $0 } }

    /// Every action's outcome, in the actions' order. Actions without work are reported as they are.
    public func run(_ actions: [PlannedAction]) async -> [ActionOutcome] {
        var outcomes = [ActionOutcome?](repeating: nil, count: actions.count)
        let indexed = Array(actions.enumerated())
        let iam = indexed.filter { $0.element.kind == .iamPolicy || $0.element.kind == .iamAttachment }
        let rules = indexed.filter { $0.element.kind == .securityGroupRule }
        // Hosts whose probe session is still open go first: each is taken (not opened anew) while the
        // others wait, so open sessions stay within the limit instead of kept + newly opened.
        let kept = sessions.keptIds
        let instances = indexed.filter { $0.element.kind == .instance }
        let hosts = instances.filter { kept.contains($0.element.target.instanceId ?? "") }
            + instances.filter { !kept.contains($0.element.target.instanceId ?? "") }

        // IAM and security groups are independent of each other; within each, plan order.
        await withTaskGroup(of: [(Int, ActionOutcome)].self) { group in
            for sequence in [iam, rules] {
                group.addTask {
                    var done: [(Int, ActionOutcome)] = []
                    for (index, action) in sequence { done.append((index, await self.perform(action))) }
                    return done
                }
            }
            for await finished in group { for (index, outcome) in finished { outcomes[index] = outcome } }
        }
        let results = await BoundedConcurrency.map(hosts, maxInFlight: parallelism) { item in
            (item.offset, await self.perform(item.element))
        }
        for case .success(let (index, outcome)) in results { outcomes[index] = outcome }
        return outcomes.enumerated().map { index, outcome in
            outcome ?? ActionOutcome(actions[index], .failed, .notRun, seconds: 0)
        }
    }

    func perform(_ action: PlannedAction) async -> ActionOutcome {
        switch action.change {
        case .noOp: return report(ActionOutcome(action, .ok, .planned(action.reason), seconds: 0))
        case .conflict: return report(ActionOutcome(action, .conflict, .planned(action.reason), seconds: 0))
        case .unreachable: return report(ActionOutcome(action, .unreachable, .planned(action.reason), seconds: 0))
        case .skip: return report(ActionOutcome(action, .skipped, .planned(action.reason), seconds: 0))
        case .create, .update: break
        }
        guard !isStopped else { return report(ActionOutcome(action, .cancelled, .interrupted, seconds: 0)) }
        onEvent(.started(address: action.address))
        let start = DispatchTime.now().uptimeNanoseconds
        let (status, detail) = await execute(action)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return report(ActionOutcome(action, status, detail, seconds: seconds))
    }

    private func report(_ outcome: ActionOutcome) -> ActionOutcome {
        onEvent(.finished(outcome))
        return outcome
    }
}

/// What happened while applying, for the views.
public enum ExecutionEvent: Sendable {
    case started(address: String)
    case finished(ActionOutcome)
}
