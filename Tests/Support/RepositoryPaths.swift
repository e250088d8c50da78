import Foundation

/// Where the repository and its tools are, found from this file's own path.
public enum RepositoryPaths {
    /// The repository root (Tests/Support/ThisFile.swift → up two).
    public static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The project virtualenv's Python, created by scripts/setup.sh.
    public static var python: String { root.appendingPathComponent(".venv/bin/python").path }

    /// The built `eicsetup` binary next to the test bundle (`swift build` puts both in one folder).
    public static var eicsetupBinary: String {
        let bundleDirectory = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [bundleDirectory.appendingPathComponent("eicsetup"),
                          Bundle.main.bundleURL.appendingPathComponent("eicsetup")] where
            FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        return root.appendingPathComponent(".build/debug/eicsetup").path
    }
}
