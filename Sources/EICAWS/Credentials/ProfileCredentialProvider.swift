import Foundation

/// Credentials from a named profile of the shared files: static keys, `role_arn` + `source_profile`
/// (STS AssumeRole), or `credential_process`, in the order the AWS CLI applies them.
public struct ProfileCredentialProvider: CredentialProvider {
    let profileName: String
    let files: SharedConfigFiles
    /// Whether the profile was named explicitly (--profile/AWS_PROFILE); then a missing profile is an error.
    let explicit: Bool
    /// Performs STS AssumeRole with the given source credentials (injected to keep the dependency one-way).
    let assumeRole: @Sendable (_ source: AWSCredentials, _ roleArn: String, _ sessionName: String,
                               _ externalId: String?, _ region: String?) async throws(AWSError) -> AWSCredentials

    /// How long a `credential_process` may run before it is stopped.
    let processTimeout: Double

    public init(profileName: String, files: SharedConfigFiles, explicit: Bool,
                processTimeout: Double = ProcessCredentialRunner.defaultTimeout,
                assumeRole: @escaping @Sendable (AWSCredentials, String, String, String?, String?) async throws(AWSError) -> AWSCredentials) {
        self.profileName = profileName
        self.files = files
        self.explicit = explicit
        self.processTimeout = processTimeout
        self.assumeRole = assumeRole
    }

    public func resolve() async throws(AWSError) -> ResolvedCredentials? {
        try await resolve(profileName, visited: [])
    }

    private func resolve(_ name: String, visited: [String]) async throws(AWSError) -> ResolvedCredentials? {
        guard let profile = files.profile(name) else {
            if explicit || !visited.isEmpty {
                throw .credentials("profile '\(name)' is not defined in \(files.credentialsPath) or \(files.configPath)",
                                   code: "ProfileNotFound")
            }
            return nil
        }
        if visited.contains(name) {
            throw .credentials("source_profile chain loops: \((visited + [name]).joined(separator: " → "))",
                               code: "InvalidProfile")
        }
        if let roleArn = profile["role_arn"] {
            if let sourceName = profile["source_profile"] {
                // A profile that is its own source uses its static keys as the source (AWS CLI behaviour).
                let source: ResolvedCredentials?
                if sourceName == name {
                    source = try staticKeys(profile, name: name)
                } else {
                    source = try await resolve(sourceName, visited: visited + [name])
                }
                guard let source else {
                    throw .credentials("source_profile '\(sourceName)' of profile '\(name)' has no credentials",
                                       code: "InvalidProfile")
                }
                let sessionName = profile["role_session_name"] ?? "eicsetup-\(Int(Date().timeIntervalSince1970))"
                let assumed = try await assumeRole(source.credentials, roleArn, sessionName,
                                                   profile["external_id"], profile["region"])
                return ResolvedCredentials(credentials: assumed,
                                           source: "assumed role \(roleArn) via profile '\(name)' (source: \(source.source))")
            }
            if profile["credential_source"] != nil {
                throw .credentials("profile '\(name)' uses credential_source, which eicsetup does not support; "
                                   + "use source_profile instead", code: "InvalidProfile")
            }
            throw .credentials("profile '\(name)' has role_arn but no source_profile", code: "InvalidProfile")
        }
        if let keys = try staticKeys(profile, name: name) { return keys }
        if let command = profile["credential_process"] {
            let credentials = try await ProcessCredentialRunner.run(command: command, profile: name, timeout: processTimeout)
            return ResolvedCredentials(credentials: credentials, source: "credential_process of profile '\(name)'")
        }
        if explicit && visited.isEmpty {
            throw .credentials("profile '\(name)' has no aws_access_key_id/aws_secret_access_key, role_arn or "
                               + "credential_process", code: "InvalidProfile")
        }
        return nil
    }

    private func staticKeys(_ profile: [String: String], name: String) throws(AWSError) -> ResolvedCredentials? {
        guard let keyId = profile["aws_access_key_id"] else { return nil }
        guard let secret = profile["aws_secret_access_key"] else {
            throw .credentials("profile '\(name)' has aws_access_key_id but no aws_secret_access_key", code: "InvalidProfile")
        }
        let file = files.credentials[name]?["aws_access_key_id"] != nil ? files.credentialsPath : files.configPath
        return ResolvedCredentials(
            credentials: AWSCredentials(accessKeyId: keyId, secretAccessKey: secret,
                                        sessionToken: profile["aws_session_token"]),
            source: "profile '\(name)' (\(file))")
    }
}
