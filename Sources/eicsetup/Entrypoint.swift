import EICCommands
import EICCrypto

@main
struct Entrypoint {
    static func main() async {
        MallocTuning.reexecIfUseful()
        MallocArenas.limit()
        CryptoRuntime.initialize()
        await EICSetupCommand.runMain()
    }
}
