import EICCommands
import EICCrypto

@main
struct Entrypoint {
    static func main() async {
        MallocArenas.limit()
        CryptoRuntime.initialize()
        await EICSetupCommand.runMain()
    }
}
