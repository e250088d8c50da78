import EICCore
import Foundation
import Synchronization

/// Renders apply's events: one line per finished action with its time, a live counter on a terminal,
/// then a summary per outcome — or JSON lines with `--json`.
final class ApplyView: Sendable {
    let json: Bool
    let style: Style
    private let counts = Mutex((done: 0, started: 0))
    private let progress = ProgressLine()

    init(json: Bool, style: Style) {
        self.json = json
        self.style = style
    }

    func emit(_ line: String) {
        print(line)
        fflush(nil)
    }

    func event(_ event: ExecutionEvent) {
        switch event {
        case .started(let address):
            let now = counts.withLock { $0.started += 1; return $0 }
            if json { emit(#"{"event":"started","address":\#(JSONValue.quote(address))}"#) } else {
                progress.update("applying: \(now.done) done, \(now.started - now.done) running")
            }
        case .finished(let outcome):
            let now = counts.withLock { $0.done += 1; return $0 }
            guard outcome.change.isChange || outcome.status == .failed || outcome.status == .cancelled else { return }
            if json {
                emit(#"{"event":"finished","address":\#(JSONValue.quote(outcome.address)),"status":"\#(outcome.status.rawValue)","detail":\#(JSONValue.quote(ReasonText.text(outcome.detail))),"detail_code":"\#(ReasonCode.code(outcome.detail))","seconds":\#(String(format: "%.1f", outcome.seconds))}"#)
                return
            }
            progress.clear()
            let mark: String
            switch outcome.status {
            case .changed, .ok: mark = style.green("✓")
            case .failed: mark = style.red("✗")
            default: mark = style.yellow("-")
            }
            emit("\(mark) \(outcome.address.terminalSafe): \(ReasonText.text(outcome.detail).terminalSafe) (\(String(format: "%.1f", outcome.seconds))s)")
            progress.update("applying: \(now.done) done, \(now.started - now.done) running")
        }
    }

    func interrupted() {
        FileHandle.standardError.write(Data("\nInterrupted: no new actions start; waiting for the running ones to finish…\n".utf8))
    }

    /// `destroyed`: policy versions deleted to stay within IAM's limit of 5.
    func summary(_ outcomes: [ActionOutcome], destroyed: Int = 0) {
        progress.clear()
        var byStatus: [ActionOutcome.Status: Int] = [:]
        for outcome in outcomes { byStatus[outcome.status, default: 0] += 1 }
        let added = outcomes.filter { $0.status == .changed && $0.change == .create }.count
        let changed = outcomes.filter { $0.status == .changed && $0.change == .update }.count
        let order: [ActionOutcome.Status] = [.ok, .changed, .conflict, .unreachable, .skipped, .failed, .cancelled]
        if json {
            let fields = order.map { "\"\($0.rawValue)\":\(byStatus[$0] ?? 0)" }.joined(separator: ",")
            emit(#"{"event":"summary",\#(fields),"added":\#(added),"changed_resources":\#(changed),"destroyed":\#(destroyed)}"#)
            return
        }
        emit("")
        emit("Summary: " + order.filter { (byStatus[$0] ?? 0) > 0 || $0 == .failed }.map { "\($0.rawValue) \(byStatus[$0] ?? 0)" }.joined(separator: ", "))
        for outcome in outcomes where [.conflict, .unreachable, .skipped, .failed, .cancelled].contains(outcome.status) {
            emit("  \(outcome.status.rawValue): \(outcome.address.terminalSafe): \(ReasonText.text(outcome.detail).terminalSafe)")
        }
        let failed = (byStatus[.failed] ?? 0) + (byStatus[.cancelled] ?? 0)
        let title = failed > 0 ? "Apply finished with errors." : "Apply complete!"
        emit(style.bold("\(title) Resources: \(added) added, \(changed) changed, \(destroyed) destroyed."))
        let attention = outcomes.filter { [.conflict, .unreachable, .skipped].contains($0.status) }.count
        if attention > 0 {
            emit(style.red("\(attention) target\(attention == 1 ? "" : "s") could not be onboarded (listed above); the exit status is 1."))
        }
    }
}
