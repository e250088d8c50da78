import EICCore
import Foundation

/// What `whoami` found, as data for the views.
struct WhoamiReport: Encodable {
    struct Endpoint: Encodable {
        let service: String
        let url: String
        let source: String
        let signingRegion: String
    }

    let identity: CallerIdentity
    let region: String
    let regionSource: String
    let profile: String
    let credentialSource: String
    let accessKeyId: String
    let endpoints: [Endpoint]

    /// The access key id with all but its last four characters hidden, as `aws configure list` shows it.
    var maskedAccessKeyId: String {
        String(repeating: "*", count: max(0, accessKeyId.count - 4)) + accessKeyId.suffix(4)
    }
}

/// Renders a `WhoamiReport` for people or machines.
enum WhoamiView {
    static func text(_ report: WhoamiReport) -> String {
        var lines = [
            "Account      \(report.identity.account)",
            "Caller ARN   \(report.identity.arn)",
            "User ID      \(report.identity.userId)",
            "Region       \(report.region) (from \(report.regionSource))",
            "Credentials  \(report.credentialSource), access key \(report.maskedAccessKeyId)",
            "Endpoints",
        ]
        for endpoint in report.endpoints {
            let name = endpoint.service.padding(toLength: 21, withPad: " ", startingAt: 0)
            lines.append("  \(name)\(endpoint.url) (\(endpoint.source), signed for \(endpoint.signingRegion))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ report: WhoamiReport) throws -> String {
        struct Document: Encodable {
            let formatVersion = "1"
            let account: String
            let arn: String
            let userId: String
            let region: String
            let regionSource: String
            let profile: String
            let credentialSource: String
            let accessKeyId: String
            let endpoints: [WhoamiReport.Endpoint]
        }
        return try JSONDocument.render(Document(
            account: report.identity.account, arn: report.identity.arn, userId: report.identity.userId,
            region: report.region, regionSource: report.regionSource, profile: report.profile,
            credentialSource: report.credentialSource, accessKeyId: report.maskedAccessKeyId,
            endpoints: report.endpoints))
    }
}
