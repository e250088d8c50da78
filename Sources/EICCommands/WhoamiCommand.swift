import ArgumentParser
import EICAWS
import EICCore

/// `eicsetup whoami`: which identity, region, credential source and endpoint apply.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show which AWS identity, region, credential source and endpoints eicsetup will use.",
        discussion: """
        Makes one call, STS GetCallerIdentity, with exactly the credentials and endpoints that plan and \
        apply would use. Credentials are looked up in the AWS CLI's order: environment variables, the \
        profile (--profile or AWS_PROFILE) in ~/.aws/credentials and ~/.aws/config (static keys, \
        role_arn + source_profile, credential_process), container credentials, instance metadata (IMDSv2).

        Examples:
          eicsetup whoami
          eicsetup whoami --profile ops --region eu-west-1
          eicsetup whoami --endpoint-url http://127.0.0.1:5000 --json
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    func run() async throws {
        let configuration = try global.awsConfiguration()
        let client = configuration.client()
        let identity = try await STSClient(client: client).getCallerIdentity()
        let credentials = try await configuration.credentials.resolve()
        let report = WhoamiReport(
            identity: identity, region: configuration.region, regionSource: configuration.regionSource,
            profile: configuration.profileName, credentialSource: credentials.source,
            accessKeyId: credentials.credentials.accessKeyId,
            endpoints: try AWSService.allCases.map { service in
                let endpoint = try configuration.endpoints.resolve(service)
                return WhoamiReport.Endpoint(service: service.signingName, url: endpoint.url.absoluteString,
                                             source: endpoint.source, signingRegion: endpoint.signingRegion)
            })
        print(json ? try WhoamiView.json(report) : WhoamiView.text(report), terminator: "")
    }
}
