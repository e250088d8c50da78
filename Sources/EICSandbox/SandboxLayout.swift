import Foundation

/// Where the sandbox's helper scripts and Python live. They ship in the repository (sandbox/, .venv/),
/// found from `EICSETUP_HOME`, else by walking up from the executable, else from the working directory.
public struct SandboxLayout: Sendable {
    public let repository: String

    public var awsd: String { repository + "/sandbox/awsd.py" }
    public var instanceScripts: String { repository + "/sandbox/instance" }
    public var python: String

    public static let defaultStateDirectory = "/tmp/eicsetup-sandbox"

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SandboxError) -> SandboxLayout {
        guard let repository = locateRepository(environment: environment) else {
            throw .missingTool("sandbox/awsd.py", hint: "run eicsetup from its repository, or set EICSETUP_HOME to it")
        }
        let python = environment["EICSETUP_PYTHON"] ?? repository + "/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw .missingTool(python, hint: "run scripts/setup.sh (it creates .venv with moto[server])")
        }
        return SandboxLayout(repository: repository, python: python)
    }

    /// The repository holding sandbox/, without needing its Python (enough for the personality table).
    public static func locateRepository(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let home = environment["EICSETUP_HOME"] { candidates.append(home) }
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(directory.path)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath)
        return candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/sandbox/awsd.py") })
    }
}
