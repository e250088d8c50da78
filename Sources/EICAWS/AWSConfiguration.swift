import Foundation

/// Everything a client needs, resolved once from flags, environment and the shared files.
public struct AWSConfiguration: Sendable {
    public let region: String
    /// Where the region came from ("--region", "AWS_REGION", "profile 'x'", …).
    public let regionSource: String
    public let profileName: String
    public let endpoints: EndpointResolver
    public let credentials: CredentialChain
    public let maxAttempts: Int
    public let transport: any HTTPTransport
    /// Told about every AWS call attempt, role assumption included (`-v`).
    public let observer: AWSCallObserver

    /// Resolves in AWS CLI order. `environment` is injected so tests never depend on the caller's shell.
    public static func resolve(profile: String?, region: String?, endpointURL: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               transport: any HTTPTransport = SocketHTTPTransport(),
                               observer: AWSCallObserver = .none) throws(AWSError) -> AWSConfiguration {
        let files = try SharedConfigFiles.load(environment: environment)
        let explicitProfile = profile ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        let profileName = explicitProfile ?? "default"
        // A profile asked for by name must exist (as in the AWS CLI), before anything is looked up in it.
        if explicitProfile != nil, files.profile(profileName) == nil {
            let source = profile != nil ? "--profile" : "AWS_PROFILE"
            throw .credentials("the profile '\(profileName)' (from \(source)) does not exist in \(files.configPath) "
                               + "or \(files.credentialsPath)", code: "ProfileNotFound")
        }
        let profileValues = files.profile(profileName) ?? [:]

        let regionChoices: [(String?, String)] = [
            (region, "--region"),
            (environment["AWS_REGION"], "AWS_REGION"),
            (environment["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"),
            (profileValues["region"], "profile '\(profileName)'"),
        ]
        guard case let (chosen?, regionSource)? = regionChoices.first(where: { !($0.0 ?? "").isEmpty }) else {
            throw .configuration("no region: pass --region, set AWS_REGION, or add 'region = …' to profile '\(profileName)'")
        }
        guard EndpointResolver.isPlausibleRegion(chosen) else {
            throw .configuration("'\(chosen)' (from \(regionSource)) is not a region name like us-east-1")
        }
        let endpoints = EndpointResolver(region: chosen, explicitURL: endpointURL, environment: environment,
                                         profileEndpointURL: profileValues["endpoint_url"])
        // Resolved once now so a bad endpoint is reported before any call, whatever the command uses first.
        for service in AWSService.allCases { _ = try endpoints.resolve(service) }
        let attempts: Int
        if let text = environment["AWS_MAX_ATTEMPTS"] {
            attempts = try parseMaxAttempts(text, source: "AWS_MAX_ATTEMPTS")
        } else if let text = profileValues["max_attempts"] {
            attempts = try parseMaxAttempts(text, source: "max_attempts of profile '\(profileName)'")
        } else {
            attempts = 3
        }

        // Role assumption needs STS; it is built from the same endpoint rules, with the source credentials.
        let assume: @Sendable (AWSCredentials, String, String, String?, String?) async throws(AWSError) -> AWSCredentials = {
            source, roleArn, session, externalId, roleRegion in
            let stsRegion = roleRegion ?? chosen
            let stsEndpoints = EndpointResolver(region: stsRegion, explicitURL: endpointURL, environment: environment,
                                                profileEndpointURL: profileValues["endpoint_url"])
            var client = AWSClient(region: stsRegion, endpoints: stsEndpoints,
                                   credentials: CredentialChain(providers: [StaticCredentialProvider(source)],
                                                                describeOrder: "source profile"),
                                   maxAttempts: attempts, transport: transport)
            client.observer = observer
            return try await STSClient(client: client).assumeRole(roleArn: roleArn, sessionName: session, externalId: externalId)
        }
        var providers: [any CredentialProvider] = []
        // As in botocore: an explicit --profile outranks credentials in the environment.
        if profile == nil { providers.append(EnvironmentCredentialProvider(environment: environment)) }
        providers.append(ProfileCredentialProvider(profileName: profileName, files: files,
                                                   explicit: explicitProfile != nil, assumeRole: assume))
        providers.append(ContainerCredentialProvider(environment: environment, transport: transport))
        providers.append(InstanceMetadataCredentialProvider(environment: environment, transport: transport))
        let order = (profile == nil ? "environment variables, " : "") + "profile '\(profileName)', container credentials, instance metadata"
        return AWSConfiguration(region: chosen, regionSource: regionSource, profileName: profileName, endpoints: endpoints,
                                credentials: CredentialChain(providers: providers, describeOrder: order),
                                maxAttempts: attempts, transport: transport, observer: observer)
    }

    /// A client for the calls of this configuration.
    public func client() -> AWSClient {
        var client = AWSClient(region: region, endpoints: endpoints, credentials: credentials, maxAttempts: maxAttempts,
                               transport: transport)
        client.observer = observer
        return client
    }
}

/// Fixed credentials (a role's source, or tests).
public struct StaticCredentialProvider: CredentialProvider {
    let credentials: AWSCredentials
    let source: String

    public init(_ credentials: AWSCredentials, source: String = "static credentials") {
        self.credentials = credentials
        self.source = source
    }

    public func resolve() async throws(AWSError) -> ResolvedCredentials? {
        ResolvedCredentials(credentials: credentials, source: source)
    }
}
