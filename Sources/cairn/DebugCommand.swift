import ArgumentParser
import CairnEngines
import CairnStorage
import Foundation

/// `cairn debug …`: helpers for Cairn's own tests, hidden from help.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Helpers for Cairn's own tests.",
        shouldDisplay: false,
        subcommands: [CrashWriterCommand.self]
    )
}

/// Makes sync writes forever (or up to `--writes-max`), printing `ack N` after each returns, so a test can
/// kill it with SIGKILL and check that every acknowledged write survived.
struct CrashWriterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crash-writer")

    @Option var engine: String
    @Option var directory: String
    @Option(help: "Stop after this many writes, so a forgotten writer still ends.")
    var writesMax: Int = 1_000_000

    func run() throws {
        let kind = try EngineKind(parsing: engine)
        let table = try TableConfiguration(engine: kind, durability: .sync).openEngine(in: directory)
        for index in 0..<writesMax {
            let key = Bytes("crash-\(index)".utf8)
            let value = Bytes("value-\(index)".utf8)
            if index % 10 == 0 {
                // Every tenth write is a batch, so batches are crash-tested too.
                try table.apply(WriteBatch([.put(key: key, value: value), .put(key: Bytes("side-\(index)".utf8), value: value)]))
            } else {
                try table.put(key, value)
            }
            // Unbuffered: the line leaves the process as soon as the write is acknowledged.
            FileHandle.standardOutput.write(Data("ack \(index)\n".utf8))
        }
        try table.close()
    }
}
