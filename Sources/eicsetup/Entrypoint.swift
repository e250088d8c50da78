import EICCommands

@main
struct Entrypoint {
    static func main() async {
        await EICSetupCommand.runMain()
    }
}
