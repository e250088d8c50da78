import EICCore
import Testing

@Suite struct DefaultLoginUserTests {
    static func image(_ name: String?, _ description: String? = nil, platform: String? = "Linux/UNIX") -> MachineImage {
        MachineImage(imageId: "ami-0123", name: name, description: description, platformDetails: platform, creationDate: nil)
    }

    @Test func theAMINamesTheDistributionsDefaultUser() {
        #expect(DefaultLoginUser.candidates(image: Self.image("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241109")) == ["ubuntu"])
        #expect(DefaultLoginUser.candidates(image: Self.image("amzn2-ami-kernel-5.10-hvm-2.0.20241001.0-x86_64-gp2")) == ["ec2-user"])
        #expect(DefaultLoginUser.candidates(image: Self.image("al2023-ami-2023.6.20241111.0-kernel-6.1-x86_64")) == ["ec2-user"])
        #expect(DefaultLoginUser.candidates(image: Self.image("my-golden-image", "Canonical, Ubuntu, 20.04 LTS")) == ["ubuntu"])
        #expect(DefaultLoginUser.candidates(image: Self.image("RHEL-9.4.0_HVM", platform: "Red Hat Enterprise Linux")) == ["ec2-user"])
        #expect(DefaultLoginUser.candidates(image: Self.image("debian-12-amd64-20241004-1891")) == ["admin"])
    }

    @Test func anUnknownImageTriesEc2UserThenUbuntu() {
        #expect(DefaultLoginUser.candidates(image: nil) == ["ec2-user", "ubuntu"])
        #expect(DefaultLoginUser.candidates(image: Self.image("team-image-v42")) == ["ec2-user", "ubuntu"])
        #expect(DefaultLoginUser.user(image: nil, platformDetails: "Linux/UNIX") == nil)
    }
}
