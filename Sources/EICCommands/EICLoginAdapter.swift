import EICAWS
import EICCore
import EICSSH
import Foundation

/// The core's `InstanceLogin` port over `InstanceConnectLogin`: a fresh ephemeral key per login,
/// pushed, used to connect, `true` run, connection closed; failures mapped to what verify diagnoses.
struct EICLoginAdapter: InstanceLogin {
    let login: InstanceConnectLogin

    func login(_ request: LoginRequest) async -> LoginResult {
        let target = InstanceConnectLogin.Target(instanceId: request.instanceId, osUser: request.osUser, address: request.address,
                                                 port: request.port, availabilityZone: request.availabilityZone)
        do {
            let connection = try await login.open(target)
            defer { Task { await connection.close() } }
            let result = try await connection.run(RemoteCommand(arguments: ["true"]), stdin: [], timeoutSeconds: 30)
            return result.exitStatus == 0 ? .ok : .other("logged in, but `true` exited \(result.exitStatus.map(String.init) ?? "by a signal")")
        } catch let error as CommandError {
            guard case .login(let failure) = error else { return .other(error.description) }
            return Self.result(failure)
        } catch {
            return .other(String(describing: error))
        }
    }

    static func result(_ failure: LoginFailure) -> LoginResult {
        if failure.isAccessDenied { return .accessDenied((failure.cause as? AWSError)?.message ?? "\(failure.cause)") }
        if failure.isKeyRefused { return .keyRefused("sshd refused the pushed key") }
        if let ssh = failure.cause as? SSHError {
            let firstLine = ssh.description.split(separator: "\n").first.map(String.init) ?? ssh.description
            switch ssh.kind {
            case .hostKeyChanged: return .hostKeyChanged(firstLine)
            case .hostKeyUnknown: return .hostKeyUnknown(firstLine)
            case .connect, .timeout: return .unreachable(firstLine)
            default: return .other(firstLine)
            }
        }
        return .other(failure.description)
    }
}
