import ArgumentParser

/// The root command: registers every subcommand of the design (§2).
public struct EICSetupCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "eicsetup",
        abstract: "Onboard an EC2 fleet to EC2 Instance Connect from one declarative JSON plan.",
        discussion: """
        eicsetup opens tcp/22 for EC2 Instance Connect, installs and checks the ec2-instance-connect \
        package over your fleet's initial SSH access, and creates the IAM policy that lets people push \
        keys — all described in one JSON plan that you can show (plan) and carry out (apply).

        Typical use:
          eicsetup whoami                      # which AWS identity and endpoint will be used
          eicsetup plan fleet.json             # what would change
          eicsetup apply fleet.json            # make it so
          eicsetup verify fleet.json           # a real EIC login per instance
        """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, ValidateCommand.self, PlanCommand.self, ApplyCommand.self,
            VerifyCommand.self, SSHCommand.self, InspectCommand.self, WhoamiCommand.self,
            SandboxCommand.self,
        ]
    )

    public init() {}
}
