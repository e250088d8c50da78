import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// Issue 8, defect 2: sandboxes in different state directories and subnets on one host.
@Suite struct SandboxSideBySideTests {
    /// A /24 that another sandbox holds is refused before anything starts, whether that sandbox is known
    /// by its claim or only by its sshd listening there (e.g. a system sshd bound to that address).
    @Test func aSubnetClashIsRefusedBeforeStarting() async throws {
        try await SandboxFixture.with(["al2-current"], subnet: 50) { fixture in
            let layout = try SandboxFixture.layout()
            let other = "/tmp/eicsetup-test-sandbox-50-clash"
            _ = try? await Sandbox.down(stateDirectory: other, layout: layout)
            var options = SandboxOptions(stateDirectory: other, personalities: ["al2-current", "al2-old"])
            options.firstSubnet = 50
            do {
                _ = try await Sandbox.up(options, layout: layout)
                Issue.record("a second sandbox on 127.0.50.0/24 was started")
            } catch {
                #expect("\(error)".contains("127.0.50.0/24 is used by the sandbox in \(fixture.state.stateDirectory)"), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: other), "the refused up left files")
            // Without the claim (a fleet started some other way), the listening sshd is what gives it away.
            try FileManager.default.removeItem(atPath: "/run/eicsetup-sandbox/subnet-50")
            do {
                _ = try await Sandbox.up(options, layout: layout)
                Issue.record("a second sandbox on an address where sshd listens was started")
            } catch {
                #expect("\(error)".contains("already listens on 127.0.50.10:22"), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: other))
            let status = try Sandbox.status(stateDirectory: fixture.state.stateDirectory)
            #expect(status.awsRunning && status.instances.allSatisfy { $0.sshListening }, "the first sandbox was disturbed")
        }
    }

    /// One sandbox's `down` runs to its end while another is between "AWS side ready" and mounting its
    /// instances (the window in which removing the shared mount targets broke the other's start), then
    /// two more start and stop at the same time.
    @Test func twoSandboxesStartAndStopConcurrently() async throws {
        let layout = try SandboxFixture.layout()
        let first = "/tmp/eicsetup-test-sandbox-51"
        let second = "/tmp/eicsetup-test-sandbox-52"
        for directory in [first, second] { _ = try? await Sandbox.down(stateDirectory: directory, layout: layout) }
        try await HeavyTests.oneAtATime {
            var firstOptions = SandboxOptions(stateDirectory: first, personalities: ["al2-current"])
            firstOptions.firstSubnet = 51
            _ = try await Sandbox.up(firstOptions, layout: layout)

            var secondOptions = SandboxOptions(stateDirectory: second, personalities: ["al2-current", "ubuntu-22.04"])
            secondOptions.firstSubnet = 52
            let second = try await Sandbox.up(secondOptions, layout: layout) { message in
                guard message.hasPrefix("AWS side ready") else { return }
                // Blocks this start right in its window until the other sandbox is fully down.
                let down = Process()
                down.executableURL = URL(fileURLWithPath: RepositoryPaths.eicsetupBinary)
                down.arguments = ["sandbox", "down", "--state-dir", first]
                down.environment = SandboxInterruptionTests.environment
                try? down.run()
                down.waitUntilExit()
            }
            #expect(!FileManager.default.fileExists(atPath: first), "the first sandbox's down did not finish")
            let status = try Sandbox.status(stateDirectory: second.stateDirectory)
            #expect(status.instances.allSatisfy { $0.sshListening }, "\(status.instances.map(\.sshListening))")
            try await Sandbox.down(stateDirectory: second.stateDirectory, layout: layout)

            // Both at once, up and then down, in whatever order the scheduler picks.
            async let a = Sandbox.up(firstOptions, layout: layout)
            async let b = Sandbox.up(secondOptions, layout: layout)
            let (stateA, stateB) = try await (a, b)
            for state in [stateA, stateB] {
                let status = try Sandbox.status(stateDirectory: state.stateDirectory)
                #expect(status.instances.allSatisfy { $0.sshListening }, "\(state.stateDirectory)")
            }
            async let downA = Sandbox.down(stateDirectory: stateA.stateDirectory, layout: layout)
            async let downB = Sandbox.down(stateDirectory: stateB.stateDirectory, layout: layout)
            let (stoppedA, stoppedB) = try await (downA, downB)
            #expect(stoppedA && stoppedB)
        }
    }
}
