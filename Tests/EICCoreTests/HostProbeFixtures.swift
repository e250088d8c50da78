import Foundation
@testable import EICCore

/// Builds probe output the way HostProbe.script prints it (tags + base64 bodies).
enum HostProbeFixture {
    static func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString(options: .lineLength76Characters) }

    static func output(osRelease: String = "ID=\"amzn\"\nVERSION_ID=\"2\"\nPRETTY_NAME=\"Amazon Linux 2\"\n",
                       tools: String = "yum rpm sudo",
                       package: String = "rpm un",
                       sshdT: (via: String, status: Int, output: String) = ("sudo", 0, "port 22\nauthorizedkeyscommand none\nauthorizedkeyscommanduser none\n"),
                       units: [(String, String)] = [],
                       configs: [(String, String)] = [("/etc/ssh/sshd_config", "PasswordAuthentication no\n")],
                       end: Bool = true) -> String {
        var lines = ["@@EIC begin 1", "@@EIC os-release", b64(osRelease), "@@EIC tools \(tools)", "@@EIC package \(package)",
                     "@@EIC sshd-t \(sshdT.via) \(sshdT.status)", b64(sshdT.output)]
        for (path, body) in units { lines += ["@@EIC unit \(path) \(path)", b64(body)] }
        for (path, body) in configs { lines += ["@@EIC config \(path)", b64(body)] }
        if end { lines.append("@@EIC end") }
        return lines.joined(separator: "\n") + "\n"
    }
}
