import Foundation

/// The files of templates/ as the planner and `init` use them, shipped as this target's resources
/// (SwiftPM copies them next to the binary as `eicsetup_EICTemplates.resources`).
public enum Templates {
    /// The text of `relativePath` under templates/, e.g. "iam/eic-by-tag.json".
    public static func text(_ relativePath: String) -> String? {
        guard let url = Bundle.module.resourceURL?.appendingPathComponent(relativePath),
              let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The IAM policy templates the planner fills.
    public static var policyTemplates: (byInstanceArn: String, byTag: String)? {
        guard let arn = text("iam/eic-by-instance-arn.json"), let tag = text("iam/eic-by-tag.json") else { return nil }
        return (arn, tag)
    }
}
