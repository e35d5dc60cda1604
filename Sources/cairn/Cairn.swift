import ArgumentParser
import CairnProcessCleanup
import Foundation

/// The `cairn` command-line tool: the one executable of the project.
@main
struct Cairn: ParsableCommand {
    /// The version `cairn --version` prints.
    static let versionText = "0.1.0"

    static let configuration = CommandConfiguration(
        abstract: "Cairn: a Dynamo-style key-value store with pluggable storage engines (memory, LMDB, LevelDB, RocksDB).",
        discussion: "Exit status: 0 on success, 1 when a run fails (one `error:` line), 64 for bad usage.",
        version: versionText,
        subcommands: [ServerCommand.self, DevClusterCommand.self, DemoCommand.self, BenchCommand.self, DebugCommand.self, GetCommand.self, PutCommand.self, DeleteCommand.self, TableCommand.self, AdminCommand.self]
    )

    /// Parses and runs a command. Bad usage prints the usage and exits 64; any failure while running prints one
    /// `error:` line and exits 1.
    static func main() {
        MallocSettings.apply()
        do {
            var command = try parseAsRoot()
            try command.run()
            SignalCleanup.shared.parkIfStopping()
        } catch {
            // A run that failed because a signal's cleanup removed its data ends by the signal, not with this error.
            SignalCleanup.shared.parkIfStopping()
            // Help, version and bad usage keep ArgumentParser's handling; only a failed run is one line and exit 1.
            guard exitCode(for: error) == .failure, !(error is ExitCode) else { exit(withError: error) }
            printError("error: \(message(for: error))")
            Foundation.exit(RuntimeError.exitStatus)
        }
    }
}
