import Foundation

/// The ready plans of playbooks/, shipped as this target's resources for `eicsetup init --template`.
public enum Playbooks {
    /// Playbook names (file names without .json), sorted.
    public static var names: [String] {
        guard let directory = Bundle.module.resourceURL?.path,
              let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The text of playbook `name`.
    public static func text(_ name: String) -> String? {
        guard let url = Bundle.module.resourceURL?.appendingPathComponent("\(name).json"),
              let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
