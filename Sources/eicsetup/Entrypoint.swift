import EICCommands
import EICCrypto

@main
struct Entrypoint {
    static func main() async {
        CryptoRuntime.initialize()
        await EICSetupCommand.runMain()
    }
}
