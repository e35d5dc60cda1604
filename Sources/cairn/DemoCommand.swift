import ArgumentParser
import CairnEngines
import CairnProcessCleanup
import CairnStorage
import Foundation

/// `cairn demo`: writes and reads a table on each engine and says what it did.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write and read a table on each engine (memory, lmdb, leveldb, rocksdb), then reopen the data dir."
    )

    @Option(help: "Data directory to use (created when missing); kept afterwards. Default: a new temporary directory, removed at the end, on Ctrl-C and on SIGTERM.")
    var dataDir: String?

    @Option(help: "Keys to write per table (at most \(DemoCommand.keysMax)).")
    var keys: Int = 10_000

    /// Most keys the demo writes per table.
    static let keysMax = 1_000_000

    func validate() throws {
        guard (1...Self.keysMax).contains(keys) else { throw ValidationError("--keys must be between 1 and \(Self.keysMax)") }
    }

    func run() throws {
        let cleanup = SignalCleanup.shared
        cleanup.install()
        let dataDirectory: String
        if let dataDir {
            try PathArguments.prepareDirectory(dataDir, option: "--data-dir")
            dataDirectory = dataDir
        } else {
            dataDirectory = NSTemporaryDirectory() + "cairn-demo-\(UUID().uuidString.prefix(8))"
            try cleanup.createDirectory(dataDirectory)
        }
        defer { if dataDir == nil { cleanup.removeDirectory(dataDirectory) } }
        print("Cairn demo: data dir \(dataDirectory), \(keys) keys per table")

        let store = try TableStore(dataDirectory: dataDirectory)
        for engine in EngineKind.allCases {
            let name = "demo-\(engine)"
            let table = try store.tableNames.contains(name)
                ? store.table(name) : store.createTable(name, TableConfiguration(engine: engine, durability: .buffered))
            try exercise(table, named: name)
        }
        try store.close()

        let reopened = try TableStore(dataDirectory: dataDirectory)
        defer { try? reopened.close() }
        print("Reopened \(dataDirectory) from its catalog:")
        for name in reopened.tableNames {
            let configuration = try reopened.configuration(of: name)
            let count = try reopened.table(name).statistics().entryCount
            let note = configuration.engine.isPersistent ? "kept on disk" : "in-memory, starts empty"
            print("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(configuration.engine): \(count) keys (\(note))")
        }
    }

    private func exercise(_ table: any StorageEngine, named name: String) throws {
        let started = ContinuousClock.now
        var batch = WriteBatch()
        for index in 0..<keys {
            batch.put(Bytes(key(index).utf8), Bytes("value of \(key(index))".utf8))
            if batch.count == 1_000 {
                try table.apply(batch)
                batch = WriteBatch()
            }
        }
        try table.apply(batch)
        try table.sync()
        let written = ContinuousClock.now - started

        var matched = 0
        for index in 0..<keys where try table.get(Bytes(key(index).utf8)) == Bytes("value of \(key(index))".utf8) {
            matched += 1
        }
        let read = ContinuousClock.now - started - written
        let firstTen = try table.entries(in: .prefix(Bytes("user:".utf8)), limit: 10).map { String(decoding: $0.key, as: UTF8.self) }
        let statistics = try table.statistics()
        print("""
            \(table.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) table \(name): \
            wrote \(keys) keys in \(milliseconds(written)), read back \(matched)/\(keys) in \(milliseconds(read)); \
            scan: \(firstTen.first ?? "-") … \(firstTen.last ?? "-"); \
            \(statistics.entryCount) entries, ~\(statistics.approximateBytes / 1024) KiB
            """)
        guard matched == keys else { throw RuntimeError("\(name): only \(matched) of \(keys) keys read back") }
    }

    private func key(_ index: Int) -> String {
        "user:" + String(repeating: "0", count: max(0, 8 - String(index).count)) + String(index)
    }

    private func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f ms", Double(seconds) * 1_000 + Double(attoseconds) / 1e15)
    }
}
