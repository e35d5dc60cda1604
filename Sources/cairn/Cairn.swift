import ArgumentParser

/// The `cairn` command-line tool: the one executable of the project.
@main
struct Cairn: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cairn: a Dynamo-style key-value store with pluggable storage engines (memory, LMDB, LevelDB, RocksDB).",
        subcommands: [DemoCommand.self, BenchCommand.self, DebugCommand.self]
    )
}
