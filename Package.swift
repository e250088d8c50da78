// swift-tools-version:6.0
import PackageDescription

// Dependencies are kept lean on purpose: a first build on a 2-core CI machine must stay short.
// swift-argument-parser gives the CLI; libssh2 and OpenSSL come from the system (Debian's -dev packages).
let package = Package(
    name: "eicsetup",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "eicsetup", targets: ["eicsetup"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        .target(name: "EICCrypto", dependencies: ["COpenSSL"]),
        .target(name: "EICCore"),
        // templates/ (IAM documents, sshd snippets) and playbooks/ (ready plans) ship as resources.
        .target(name: "EICTemplates", path: "templates", exclude: ["README.md"], resources: [.copy("iam"), .copy("sshd")]),
        .target(name: "EICPlaybooks", path: "playbooks", exclude: ["README.md"],
                resources: [.copy("sandbox.json"), .copy("al2-fleet-by-tag.json"), .copy("mixed-fleet-by-ids.json"),
                            .copy("private-fleet-over-ssm.json")]),
        .target(name: "EICAWS", dependencies: ["EICCore", "EICCrypto"]),
        .target(name: "EICSSH", dependencies: ["EICCore", "EICCrypto", "CLibSSH2", "COpenSSL"]),
        // The local AWS + fleet test bed (design §6): used by `eicsetup sandbox` and by integration tests.
        .target(name: "EICSandbox", dependencies: ["EICAWS", "EICCore"]),
        .target(
            name: "EICCommands",
            dependencies: [
                "EICCore", "EICAWS", "EICSSH", "EICCrypto", "EICSandbox", "EICTemplates", "EICPlaybooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "eicsetup", dependencies: ["EICCommands", "EICCrypto"]),
        // Starts real peers (moto via sandbox/awsd.py) for the integration tests of several test targets.
        .target(name: "EICTestSupport", dependencies: ["EICAWS", "EICCore", "EICSandbox"], path: "Tests/Support",
                exclude: ["imds_stub.py", "resetting_http.py"]),
        .testTarget(name: "EICCryptoTests", dependencies: ["EICCrypto"]),
        .testTarget(name: "EICCoreTests", dependencies: ["EICCore", "EICTemplates", "EICPlaybooks"]),
        .testTarget(name: "EICAWSTests", dependencies: ["EICAWS", "EICCore", "EICCrypto", "EICSandbox", "EICTestSupport"],
                    exclude: ["Fixtures"]),  // the SigV4 suite, read by path
        .testTarget(name: "EICSSHTests", dependencies: ["EICSSH", "EICCore", "EICCrypto", "EICSandbox", "EICTestSupport"]),
        .testTarget(name: "EICSandboxTests", dependencies: ["EICSandbox", "EICAWS", "EICCore", "EICTestSupport"]),
        .testTarget(name: "EICCommandsTests", dependencies: ["EICCommands", "EICAWS", "EICCore", "EICSandbox", "EICTemplates",
                                                             "EICTestSupport"],
                    exclude: ["Fixtures"]),  // golden files, read by path
    ],
    swiftLanguageModes: [.v6]
)
