import EICAWS
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// SSM Run Command on a real sandbox, driven with the AWS CLI (the environment `eicsetup sandbox env`
/// prints) and checked with independent means: files the scripts wrote inside the instances' roots,
/// and the sandbox's call record.
@Suite struct SandboxSSMTests {
    static let personalities = ["ssm-al2", "ssm-al2", "ssm-al2", "ssm-al2", "ssm-ubuntu", "ssm-preconfigured",
                                "ssm-offline", "al2-old", "al2-current"]
    static let online: Set<String> = ["ssm-al2", "ssm-ubuntu", "ssm-preconfigured", "al2-current"]

    @Test func runCommandRunsInsideTheInstancesWithAWSShapesAndLimits() async throws {
        try await SandboxFixture.with(Self.personalities, subnet: 136) { fixture in
            let state = fixture.state
            let byId = Dictionary(uniqueKeysWithValues: state.instances.map { ($0.instanceId, $0) })

            // 1. DescribeInstanceInformation, 5 per page: the registered agents, online or not; no unregistered one.
            let described = try await Self.aws(state, ["ssm", "describe-instance-information", "--page-size", "5"])
            let list = try #require(described["InstanceInformationList"] as? [[String: Any]])
            var ping: [String: String] = [:]
            for info in list {
                let id = try #require(info["InstanceId"] as? String)
                ping[id] = info["PingStatus"] as? String
                let instance = try #require(byId[id])
                #expect(info["IPAddress"] as? String == instance.ipAddress && info["PlatformType"] as? String == "Linux")
                #expect(info["PlatformName"] as? String == (instance.loginUser == "ubuntu" ? "Ubuntu" : "Amazon Linux"))
            }
            let onlineIds = Set(state.instances.filter { Self.online.contains($0.personality) }.map(\.instanceId))
            let offline = try #require(fixture.instance("ssm-offline"))
            #expect(Set(ping.filter { $0.value == "Online" }.keys) == onlineIds)
            #expect(ping.filter { $0.value != "Online" } == [offline.instanceId: "ConnectionLost"])

            // 2. A command on every registered instance (by tag), two at a time: each script records when it
            //    ran, inside its own instance, and prints the instance's os-release.
            let script = ["date +%s%N > /var/lib/eicsandbox/ssm-start", "sleep 0.5", "id -u", "cat /etc/os-release",
                          "pwd", "date +%s%N > /var/lib/eicsandbox/ssm-end", "echo to-stderr >&2"]
            let sent = try await Self.aws(state, ["ssm", "send-command", "--document-name", "AWS-RunShellScript",
                                                  "--targets", "Key=tag:Fleet,Values=sandbox", "--max-concurrency", "2",
                                                  "--parameters", try Self.json(["commands": script])])
            let command = try #require(sent["Command"] as? [String: Any])
            let commandId = try #require(command["CommandId"] as? String)
            #expect(command["TargetCount"] as? Int == onlineIds.count + 1 && command["MaxConcurrency"] as? String == "2")
            let invocations = try await Self.waitForCommand(state, commandId)
            #expect(Set(invocations.keys) == onlineIds.union([offline.instanceId]))
            for id in onlineIds {
                let instance = try #require(byId[id])
                let result = try await Self.aws(state, ["ssm", "get-command-invocation", "--command-id", commandId, "--instance-id", id])
                #expect(result["Status"] as? String == "Success" && result["ResponseCode"] as? Int == 0, "\(id): \(result)")
                let osRelease = try String(contentsOfFile: instance.rootDirectory + "/etc/os-release", encoding: .utf8)
                #expect(result["StandardOutputContent"] as? String == "0\n" + osRelease + "/\n", "\(id)")
                #expect(result["StandardErrorContent"] as? String == "to-stderr\n")
                #expect(FileManager.default.fileExists(atPath: instance.rootDirectory + "/run/ssm-end"), "\(id): the script did not run there")
            }
            let undelivered = try await Self.aws(state, ["ssm", "get-command-invocation", "--command-id", commandId,
                                                         "--instance-id", offline.instanceId])
            #expect(undelivered["Status"] as? String == "TimedOut" && undelivered["StatusDetails"] as? String == "DeliveryTimedOut"
                    && undelivered["ResponseCode"] as? Int == -1)
            #expect(!FileManager.default.fileExists(atPath: offline.rootDirectory + "/run/ssm-start"), "an offline agent ran it")
            // MaxConcurrency 2, from the instances' own clocks: never more than two scripts overlapped.
            var events: [(Int, Int)] = []
            for id in onlineIds {
                let root = try #require(byId[id]).rootDirectory + "/run/"
                let start = Int(try String(contentsOfFile: root + "ssm-start", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                let end = Int(try String(contentsOfFile: root + "ssm-end", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                events += [(start, 1), (end, -1)]
            }
            var running = 0, most = 0
            for (_, delta) in events.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
                running += delta
                most = max(most, running)
            }
            #expect(most == 2, "at most \(most) scripts ran at once")

            // 3. Output limits: GetCommandInvocation keeps 24,000 characters, ListCommandInvocations 2,500.
            let ssmAl2 = try #require(fixture.instance("ssm-al2")).instanceId
            let long = try await Self.aws(state, ["ssm", "send-command", "--document-name", "AWS-RunShellScript",
                                                  "--instance-ids", ssmAl2, "--parameters",
                                                  try Self.json(["commands": ["yes x | head -c 30000"]])])
            let longId = try #require((long["Command"] as? [String: Any])?["CommandId"] as? String)
            _ = try await Self.waitForCommand(state, longId)
            let full = try await Self.aws(state, ["ssm", "get-command-invocation", "--command-id", longId, "--instance-id", ssmAl2])
            #expect((full["StandardOutputContent"] as? String)?.count == 24000)
            let detailed = try await Self.aws(state, ["ssm", "list-command-invocations", "--command-id", longId, "--details"])
            let plugin = try #require(((detailed["CommandInvocations"] as? [[String: Any]])?.first?["CommandPlugins"] as? [[String: Any]])?.first)
            let output = try #require(plugin["Output"] as? String)
            #expect(output.count == 2500 && output.hasSuffix("\n---Output truncated---"))

            // 4. Refusals, as AWS words them: an instance without an agent, more than 50 ids, no permission.
            let alOld = try #require(fixture.instance("al2-old")).instanceId
            let notManaged = try await Self.awsFailure(state, ["ssm", "send-command", "--document-name", "AWS-RunShellScript",
                                                               "--instance-ids", alOld, "--parameters", "commands=true"])
            #expect(notManaged.contains("(InvalidInstanceId)") && notManaged.contains("[[\(alOld)]] not in a valid state"))
            let many = (0..<51).map { String(format: "i-%017x", $0) }
            let tooMany = try await Self.awsFailure(state, ["ssm", "send-command", "--document-name", "AWS-RunShellScript",
                                                            "--instance-ids"] + many + ["--parameters", "commands=true"])
            #expect(tooMany.contains("(ValidationException)") && tooMany.contains("less than or equal to 50"))
            let denied = try await Self.awsFailure(state, ["ssm", "describe-instance-information"], asEICUser: true)
            #expect(denied.contains("(AccessDeniedException)") && denied.contains("ssm:DescribeInstanceInformation"))

            // 5. The call record counts SSM calls like any other.
            let url = try #require(URL(string: state.endpoint + "/_sandbox/calls"))
            let answer = try await SocketHTTPTransport().send(HTTPRequest(method: "GET", url: url))
            let calls = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
            let byAction = try #require(calls["by_action"] as? [String: Int])
            #expect(byAction["ssm:SendCommand"] == 4 && (byAction["ssm:GetCommandInvocation"] ?? 0) >= onlineIds.count + 2)
            #expect(byAction["ssm:DescribeInstanceInformation"] == 3)  // two pages for the admin, one refused
        }
    }

    // MARK: - the AWS CLI, as an operator runs it

    /// The environment `eicsetup sandbox env` exports, and nothing from the user's own AWS configuration.
    static func environment(_ state: SandboxState, asEICUser: Bool) -> [String: String] {
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "AWS_CONFIG_FILE": "/nonexistent",
                   "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
        for (name, value) in Sandbox.environment(state, asEICUser: asEICUser) { env[name] = value }
        return env
    }

    static func run(_ state: SandboxState, _ arguments: [String], asEICUser: Bool = false) async throws -> Subprocess.Result {
        let aws = RepositoryPaths.root.appendingPathComponent(".venv/bin/aws").path
        return try await Subprocess.run(aws, arguments + ["--output", "json"], environment: environment(state, asEICUser: asEICUser))
    }

    static func aws(_ state: SandboxState, _ arguments: [String], asEICUser: Bool = false) async throws -> [String: Any] {
        let result = try await run(state, arguments, asEICUser: asEICUser)
        #expect(result.status == 0, "aws \(arguments.prefix(2).joined(separator: " ")): \(result.stderr)")
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    /// The CLI's error text of a call that must fail.
    static func awsFailure(_ state: SandboxState, _ arguments: [String], asEICUser: Bool = false) async throws -> String {
        let result = try await run(state, arguments, asEICUser: asEICUser)
        #expect(result.status != 0, "aws \(arguments.prefix(2).joined(separator: " ")) succeeded: \(result.stdout)")
        return result.stderr
    }

    static func json(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
    }

    /// Polls ListCommandInvocations until every invocation has ended; returns instance id → Status.
    static func waitForCommand(_ state: SandboxState, _ commandId: String) async throws -> [String: String] {
        for _ in 0..<300 {
            let listed = try await aws(state, ["ssm", "list-command-invocations", "--command-id", commandId])
            let rows = (listed["CommandInvocations"] as? [[String: Any]]) ?? []
            let statuses = Dictionary(rows.map { ($0["InstanceId"] as? String ?? "", $0["Status"] as? String ?? "") }) { $1 }
            if !rows.isEmpty, statuses.values.allSatisfy({ ["Success", "Failed", "TimedOut", "Cancelled"].contains($0) }) {
                return statuses
            }
            try await Task.sleep(nanoseconds: 300_000_000)
        }
        Issue.record("command \(commandId) did not finish")
        return [:]
    }
}
