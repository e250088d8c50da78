/// The ec2-instance-connect RPMs AWS publishes by URL, for the distributions whose own repositories lack
/// the package (RHEL and CentOS Stream 8/9; AWS's "Install EC2 Instance Connect" guide). Each build comes
/// with `ec2-instance-connect-selinux`, the SELinux policy module that lets sshd run the helper.
/// The URLs are constants: nothing from a plan or a host reaches them.
public enum PublishedRPM: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
    /// EL8 (`ec2-instance-connect.rhel8.rpm`): configures sshd through a systemd drop-in
    /// (/lib/systemd/system/sshd.service.d/ec2-instance-connect.conf, ExecStart with `-o` options).
    case el8
    /// EL9 (`ec2-instance-connect.rpm`): configures sshd in /etc/ssh/sshd_config.d/60-ec2-instance-connect.conf.
    case el9

    /// The bucket AWS's guide names. Both files are noarch, so the amd64 path serves arm64 hosts as well.
    static let base = "https://amazon-ec2-instance-connect-us-west-2.s3.us-west-2.amazonaws.com/latest/linux_amd64/"

    /// The package itself, then its SELinux companion (one `dnf install` resolves both).
    public var urls: [String] {
        let main = self == .el8 ? "ec2-instance-connect.rhel8.rpm" : "ec2-instance-connect.rpm"
        return [Self.base + main, Self.base + "ec2-instance-connect-selinux.noarch.rpm"]
    }

    /// The build for a host's os-release `ID` and `VERSION_ID`: RHEL, CentOS (Stream), Rocky and
    /// AlmaLinux 8 or 9; nil for anything else.
    public init?(osID: String?, version: String?) {
        guard let id = osID, ["rhel", "centos", "rocky", "almalinux"].contains(id),
              let major = version?.split(separator: ".").first.flatMap({ Int($0) }) else { return nil }
        switch major {
        case 8: self = .el8
        case 9: self = .el9
        default: return nil
        }
    }

    public var description: String { self == .el8 ? "AWS's EL8 RPM" : "AWS's EL9 RPM" }
}
