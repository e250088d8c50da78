import EICAWS
import EICCore
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// The credential chain end to end: each source yields keys that moto (authentication on) accepts.
@Suite struct CredentialChainTests {
    /// Resolves a configuration from `environment` and asks STS who we are.
    static func whoami(_ peer: MotoPeer, profile: String? = nil, environment: [String: String]) async throws -> (String, String) {
        var environment = environment
        environment["AWS_REGION"] = peer.region
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        let configuration = try AWSConfiguration.resolve(profile: profile, region: nil, endpointURL: peer.endpoint,
                                                         environment: environment)
        let identity = try await STSClient(client: configuration.client()).getCallerIdentity()
        return (identity.arn, try await configuration.credentials.resolve().source)
    }

    static func files(_ directory: String, credentials: String = "", config: String = "") throws -> [String: String] {
        try credentials.write(toFile: directory + "/credentials", atomically: true, encoding: .utf8)
        try config.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        return ["AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials", "AWS_CONFIG_FILE": directory + "/config"]
    }

    @Test func environmentVariablesComeFirst() async throws {
        let peer = try await MotoPeer.shared()
        let directory = try TemporaryFiles.directory()
        var environment = try Self.files(directory, credentials: "[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = nope\n")
        environment["AWS_ACCESS_KEY_ID"] = peer.admin.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = peer.admin.secretAccessKey
        let (arn, source) = try await Self.whoami(peer, environment: environment)
        #expect(arn.hasSuffix(":user/admin"))
        #expect(source == "environment variables")
    }

    @Test func aProfileFromTheCredentialsFileSelectedByAWSProfile() async throws {
        let peer = try await MotoPeer.shared()
        let directory = try TemporaryFiles.directory()
        var environment = try Self.files(directory, credentials: """
            [default]
            aws_access_key_id = AKIAWRONGDEFAULT0000
            aws_secret_access_key = wrong
            [tester]
            aws_access_key_id = \(peer.admin.accessKeyId)
            aws_secret_access_key = \(peer.admin.secretAccessKey)
            """)
        environment["AWS_PROFILE"] = "tester"
        let (arn, source) = try await Self.whoami(peer, environment: environment)
        #expect(arn.hasSuffix(":user/admin"))
        #expect(source.contains("profile 'tester'"))
    }

    @Test func anExplicitProfileOutranksEnvironmentKeys() async throws {
        let peer = try await MotoPeer.shared()
        let directory = try TemporaryFiles.directory()
        var environment = try Self.files(directory, credentials: """
            [tester]
            aws_access_key_id = \(peer.admin.accessKeyId)
            aws_secret_access_key = \(peer.admin.secretAccessKey)
            """)
        environment["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT00000"
        environment["AWS_SECRET_ACCESS_KEY"] = "wrong"
        let (_, source) = try await Self.whoami(peer, profile: "tester", environment: environment)
        #expect(source.contains("profile 'tester'"))
    }

    @Test func roleArnWithSourceProfileAssumesTheRole() async throws {
        let peer = try await MotoPeer.shared()
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        let role = TestNames.unique("chain-role")
        try await IAMProvisioning(client: peer.client()).createRole(name: role, trustPolicy: trust)
        let account = try await STSClient(client: peer.client()).getCallerIdentity().account
        let directory = try TemporaryFiles.directory()
        var environment = try Self.files(directory, credentials: """
            [base]
            aws_access_key_id = \(peer.admin.accessKeyId)
            aws_secret_access_key = \(peer.admin.secretAccessKey)
            """, config: """
            [profile ops]
            role_arn = arn:aws:iam::\(account):role/\(role)
            source_profile = base
            role_session_name = chain-test
            """)
        environment["AWS_PROFILE"] = "ops"
        let (arn, source) = try await Self.whoami(peer, environment: environment)
        #expect(arn.contains(":assumed-role/\(role)/chain-test"))
        #expect(source.contains("assumed role"))
    }

    @Test func credentialProcessOutputIsUsed() async throws {
        let peer = try await MotoPeer.shared()
        let directory = try TemporaryFiles.directory()
        let script = directory + "/creds.sh"
        try """
        #!/bin/sh
        echo '{"Version": 1, "AccessKeyId": "\(peer.admin.accessKeyId)", "SecretAccessKey": "\(peer.admin.secretAccessKey)"}'
        """.write(toFile: script, atomically: true, encoding: .utf8)
        // Run through /bin/sh rather than exec'ing the file we just wrote: a concurrently spawned child
        // may still hold the write descriptor, and exec would fail with ETXTBSY.
        var environment = try Self.files(directory, config: "[profile proc]\ncredential_process = /bin/sh \(script)\n")
        environment["AWS_PROFILE"] = "proc"
        let (arn, source) = try await Self.whoami(peer, environment: environment)
        #expect(arn.hasSuffix(":user/admin"))
        #expect(source.contains("credential_process"))
    }

    @Test func containerCredentialsAreFetchedFromTheFullURI() async throws {
        let peer = try await MotoPeer.shared()
        let directory = try TemporaryFiles.directory()
        try #"{"AccessKeyId":"\#(peer.admin.accessKeyId)","SecretAccessKey":"\#(peer.admin.secretAccessKey)","Token":null}"#
            .write(toFile: directory + "/creds.json", atomically: true, encoding: .utf8)
        let (server, port) = try await LoopbackServer.start { port in
            [RepositoryPaths.python, "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory, String(port)]
        }
        defer {
            kill(server, SIGTERM)
            ChildProcess.reapIfExited(server)
        }
        var environment = try Self.files(directory)
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(port)/creds.json"
        let (arn, source) = try await Self.whoami(peer, environment: environment)
        #expect(arn.hasSuffix(":user/admin"))
        #expect(source.contains("container credentials"))
    }

    @Test func instanceProfileCredentialsComeFromIMDSv2() async throws {
        let peer = try await MotoPeer.shared()
        let directory = try TemporaryFiles.directory()
        try #"{"Code":"Success","AccessKeyId":"\#(peer.admin.accessKeyId)","SecretAccessKey":"\#(peer.admin.secretAccessKey)","Token":null,"Expiration":"2099-01-01T00:00:00Z"}"#
            .write(toFile: directory + "/role.json", atomically: true, encoding: .utf8)
        let stub = RepositoryPaths.root.appendingPathComponent("Tests/Support/imds_stub.py").path
        let (server, port) = try await LoopbackServer.start { port in
            [RepositoryPaths.python, stub, String(port), directory + "/role.json", "eic-test-role"]
        }
        defer {
            kill(server, SIGTERM)
            ChildProcess.reapIfExited(server)
        }
        var environment = try Self.files(directory)
        environment["AWS_REGION"] = peer.region
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:\(port)"
        let configuration = try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: peer.endpoint,
                                                         environment: environment)
        let identity = try await STSClient(client: configuration.client()).getCallerIdentity()
        #expect(identity.arn.hasSuffix(":user/admin"))
        let source = try await configuration.credentials.resolve().source
        #expect(source == "instance profile eic-test-role (IMDSv2)")

        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        let disabled = try AWSConfiguration.resolve(profile: nil, region: nil, endpointURL: peer.endpoint, environment: environment)
        await #expect(throws: AWSError.self, "AWS_EC2_METADATA_DISABLED turns the instance profile off") {
            _ = try await disabled.credentials.resolve()
        }
    }

    @Test func brokenConfigurationsFailWithTheReason() async throws {
        let peer = try await MotoPeer.shared()
        let directory = try TemporaryFiles.directory()
        var environment = try Self.files(directory, config: "[profile half]\nrole_arn = arn:aws:iam::1:role/x\n")
        environment["AWS_ACCESS_KEY_ID"] = "AKIAONLYKEY000000000"
        do {
            _ = try await Self.whoami(peer, environment: environment)
            Issue.record("half-set environment credentials were accepted")
        } catch let error as AWSError {
            #expect(error.code == "PartialCredentials")
        }
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_PROFILE"] = "missing"
        do {
            _ = try await Self.whoami(peer, environment: environment)
            Issue.record("a missing profile was accepted")
        } catch let error as AWSError {
            #expect(error.code == "ProfileNotFound")
        }
        environment["AWS_PROFILE"] = "half"
        do {
            _ = try await Self.whoami(peer, environment: environment)
            Issue.record("role_arn without source_profile was accepted")
        } catch let error as AWSError {
            #expect(error.code == "InvalidProfile")
        }
        environment["AWS_PROFILE"] = nil
        do {
            _ = try await Self.whoami(peer, environment: environment)
            Issue.record("no credentials at all, yet a call was made")
        } catch let error as AWSError {
            #expect(error.kind == .credentials)
            #expect("\(error)".contains("AWS_ACCESS_KEY_ID"))
        }
    }
}
