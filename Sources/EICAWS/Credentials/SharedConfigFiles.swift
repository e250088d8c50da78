import Foundation

/// The AWS CLI's two INI files, `~/.aws/credentials` and `~/.aws/config`, as plain dictionaries.
///
/// In `credentials` a section is `[name]`; in `config` it is `[profile name]` except `[default]`.
/// Only what eicsetup needs is interpreted; unknown keys are kept and ignored.
public struct SharedConfigFiles: Sendable {
    public let credentialsPath: String
    public let configPath: String
    /// Profile name → key → value, from the credentials file.
    public let credentials: [String: [String: String]]
    /// Profile name → key → value, from the config file (names without the `profile ` prefix).
    public let config: [String: [String: String]]

    /// Reads both files from their default places or `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`.
    /// A missing file is simply empty; an unreadable one is an error.
    public static func load(environment: [String: String]) throws(AWSError) -> SharedConfigFiles {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let credentialsPath = expandTilde(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", home: home)
        let configPath = expandTilde(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", home: home)
        return SharedConfigFiles(
            credentialsPath: credentialsPath,
            configPath: configPath,
            credentials: try parseFile(credentialsPath, profilePrefix: false),
            config: try parseFile(configPath, profilePrefix: true))
    }

    public init(credentialsPath: String, configPath: String, credentials: [String: [String: String]],
                config: [String: [String: String]]) {
        self.credentialsPath = credentialsPath
        self.configPath = configPath
        self.credentials = credentials
        self.config = config
    }

    /// The merged view of one profile: config-file values, overridden by credentials-file values.
    public func profile(_ name: String) -> [String: String]? {
        let fromConfig = config[name]
        let fromCredentials = credentials[name]
        if fromConfig == nil && fromCredentials == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentialValue in credentialValue }
    }

    static func parseFile(_ path: String, profilePrefix: Bool) throws(AWSError) -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        // Through a file handle, not FileManager.contents: that answers nil for a character device, and
        // AWS_SHARED_CREDENTIALS_FILE=/dev/null ("no credentials file") is something the AWS CLI accepts.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .configuration("cannot read \(path): check its permissions")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()  // nil: an empty file (or /dev/null)
        } catch {
            throw .configuration("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try parseINI(String(decoding: data, as: UTF8.self), profilePrefix: profilePrefix)
        } catch {
            throw .configuration("\(path), line \(error.line): \(error.problem); fix or remove that line "
                                 + "(the AWS CLI refuses this file too)")
        }
    }

    /// Where and why a shared file could not be parsed.
    struct SyntaxError: Error {
        let line: Int
        let problem: String
    }

    /// Parses the AWS flavour of INI as botocore's configparser does: `#`/`;` comments, `[section]`,
    /// `key = value` (or `key: value`), indented continuation lines (nested `s3 =` blocks, folded into the
    /// parent value and ignored). Anything else — a setting before the first section, a line without `=`,
    /// a broken header — is an error naming the line, not silently skipped.
    static func parseINI(_ text: String, profilePrefix: Bool) throws(SyntaxError) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var inSection = false
        var lastKey: String?
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if rawLine.first == " " || rawLine.first == "\t" {
                // A continuation of the previous value (nested settings): only valid after a key.
                guard lastKey != nil else { throw SyntaxError(line: number, problem: "an indented line that continues no setting") }
                continue
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw SyntaxError(line: number, problem: "a section header must look like [name]")
                }
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                inSection = true
                lastKey = nil
                if profilePrefix {
                    if name.hasPrefix("profile ") {
                        name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                    } else if name != "default" {
                        current = nil  // sso-session, services and other non-profile sections
                        continue
                    }
                }
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard inSection else {
                throw SyntaxError(line: number, problem: "a setting before the first [section] header")
            }
            guard let delimiter = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw SyntaxError(line: number, problem: "not a 'key = value' line")
            }
            let key = line[..<delimiter].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty else { throw SyntaxError(line: number, problem: "a value without a key") }
            lastKey = key
            guard let section = current else { continue }
            let value = line[line.index(after: delimiter)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
        return sections
    }

    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }
}
