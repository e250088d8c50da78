/// The OS user an EC2 Instance Connect login uses when none is given (design §3, `"user": "auto"`):
/// the distribution's default cloud user, told from the AMI's name, description and platform details.
public enum DefaultLoginUser {
    /// The users to try, in order: one when the AMI names its distribution, else `ec2-user` then `ubuntu`
    /// (the two the design supports), so an unknown image still gets a login.
    public static func candidates(image: MachineImage?, platformDetails: String? = nil) -> [String] {
        if let user = user(image: image, platformDetails: platformDetails) { return [user] }
        return ["ec2-user", "ubuntu"]
    }

    /// The default user of an os-release `ID` (as a probe read it), or nil for an unknown one.
    public static func user(osID: String?) -> String? {
        switch osID {
        case "ubuntu": return "ubuntu"
        case "debian": return "admin"
        case "rocky": return "rocky"
        case "amzn", "rhel", "centos", "almalinux", "fedora", "sles", "opensuse-leap": return "ec2-user"
        default: return nil
        }
    }

    /// The distribution's default user, or nil when nothing in the image says which distribution it is.
    public static func user(image: MachineImage?, platformDetails: String? = nil) -> String? {
        let text = [image?.name, image?.description, image?.platformDetails, platformDetails]
            .compactMap { $0 }.joined(separator: " ").lowercased()
        // Checked in this order: an Ubuntu image name may mention "amazon" (e.g. its owner alias), never the reverse.
        if text.contains("ubuntu") { return "ubuntu" }
        if text.contains("debian") { return "admin" }
        let ec2User = ["amzn", "amazon linux", "al2023", "red hat", "rhel", "suse", "fedora"]
        if ec2User.contains(where: text.contains) { return "ec2-user" }
        return nil
    }
}
