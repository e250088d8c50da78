import EICCore
import EICSSH

/// The adapter behind the core's `InstanceLogin` port (what `Verifier` calls): one whole EC2 Instance
/// Connect login per request — fresh key, push, connect, run `true` — with the failure sorted into the
/// outcome the verifier diagnoses.
extension InstanceConnectLogin: InstanceLogin {
    public func login(_ request: LoginRequest) async -> LoginResult {
        let target = Target(instanceId: request.instanceId, osUser: request.osUser, address: request.address,
                            port: request.port, availabilityZone: request.availabilityZone)
        do {
            let connection = try await open(target)
            let result = try await connection.run(RemoteCommand(arguments: ["true"]), stdin: [])
            await connection.close()
            guard result.exitStatus == 0 else {
                return .other("logged in, but `true` ended with \(result.exitSignal.map { "signal \($0)" } ?? "status \(result.exitStatus.map(String.init) ?? "unknown")")")
            }
            return .ok
        } catch let error as CommandError {
            guard case .login(let failure) = error else { return .other("\(error)") }
            return Self.outcome(of: failure)
        } catch {
            return .other("\(target.osUser)@\(target.instanceId): \(error)")
        }
    }

    /// The verifier's name for why a login failed.
    static func outcome(of failure: LoginFailure) -> LoginResult {
        let text = failure.description
        if failure.isAccessDenied { return .accessDenied(text) }
        guard failure.stage == .connect, let ssh = failure.cause as? SSHError else { return .other(text) }
        switch ssh.kind {
        case .authentication: return .keyRefused(text)
        case .hostKeyChanged: return .hostKeyChanged(text)
        case .hostKeyUnknown: return .hostKeyUnknown(text)
        case .connect, .timeout: return .unreachable(text)
        case .identity, .agent, .session, .outputLimit: return .other(text)
        }
    }
}
