import EICCore
import Foundation

/// The per-host table of `verify`, and its JSON document.
enum VerifyView {
    static func text(_ results: [VerifyResult], _ observation: Observation, style: Style) -> String {
        var lines = ["Verifying as \(observation.caller.arn.terminalSafe): one EC2 Instance Connect login per instance.", ""]
        let width = max(8, results.map(\.name.terminalSafe.count).max() ?? 8)
        lines.append("  " + "INSTANCE".padding(toLength: width, withPad: " ", startingAt: 0) + "  USER       RESULT")
        for result in results {
            let name = result.name.terminalSafe.padding(toLength: width, withPad: " ", startingAt: 0)
            let user = result.osUser.terminalSafe.padding(toLength: 10, withPad: " ", startingAt: 0)
            switch result.outcome {
            case .ok:
                lines.append("  \(name)  \(user) " + style.green("ok") + String(format: " (%.1fs)", result.seconds))
            case .failed(let finding):
                lines.append("  \(name)  \(user) " + style.red("FAILED: \(finding.diagnosis.rawValue)"))
                lines.append("      \(ReasonText.text(finding).terminalSafe)")
            }
        }
        let passed = results.filter(\.passed).count
        lines.append("")
        lines.append(style.bold("\(passed) of \(results.count) instances passed.") + (passed == results.count ? "" : " Each failure names its cause above."))
        return lines.joined(separator: "\n") + "\n"
    }

    struct Document: Encodable {
        struct Host: Encodable {
            var instanceId: String
            var name: String
            var osUser: String
            var address: String?
            var result: String
            var diagnosis: String?
            var message: String?
            var seconds: Double

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(instanceId, forKey: .instanceId)
                try container.encode(name, forKey: .name)
                try container.encode(osUser, forKey: .osUser)
                try container.encode(address, forKey: .address)
                try container.encode(result, forKey: .result)
                try container.encode(diagnosis, forKey: .diagnosis)
                try container.encode(message, forKey: .message)
                try container.encode((seconds * 10).rounded() / 10, forKey: .seconds)
            }
            enum CodingKeys: String, CodingKey { case instanceId, name, osUser, address, result, diagnosis, message, seconds }
        }
        var format_version = "1"
        var caller: String
        var passed: Int
        var failed: Int
        var hosts: [Host]
    }

    static func json(_ results: [VerifyResult], _ observation: Observation) throws -> String {
        let hosts = results.map { result -> Document.Host in
            var host = Document.Host(instanceId: result.instanceId, name: result.name, osUser: result.osUser, address: result.address,
                                     result: "ok", diagnosis: nil, message: nil, seconds: result.seconds)
            if case .failed(let finding) = result.outcome {
                host.result = "failed"
                host.diagnosis = finding.diagnosis.rawValue
                host.message = ReasonText.text(finding)
            }
            return host
        }
        let passed = results.filter(\.passed).count
        return try JSONDocument.render(Document(caller: observation.caller.arn, passed: passed, failed: results.count - passed, hosts: hosts))
    }
}
