import ArgumentParser
import CairnBench
import CairnProcessCleanup
import CairnReplication
import CairnStorage
import Foundation

/// `cairn bench transfer`: the throughput of one partition transfer between two engines in this process.
struct BenchTransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Moves one partition between two engines in-process and prints keys/s and MB/s.",
        discussion: """
            Fills partition 0 of a table on the sender's engine, then moves it to the receiver's through the \
            transfer state machines (batches, acks, merging, the throttle on the wall clock) and checks that every \
            key arrived and none is left behind. The engines live in a new cairn-bench-<id> directory that the \
            run creates in --data-dir and removes at the end.
            """)

    @Option(help: "Keys in the moving partition.")
    var keys = 100_000
    @Option(help: "Bytes of each key's value.")
    var valueBytes = 100
    @Option(help: "The sender's engine: memory, lmdb, leveldb or rocksdb.")
    var from = "memory"
    @Option(help: "The receiver's engine: memory, lmdb, leveldb or rocksdb.")
    var to = "lmdb"
    @Option(help: "Throttle in bytes per second; 0 runs unthrottled.")
    var bytesPerSecond = 16 << 20
    @Option(help: "Most keys in one batch.")
    var batchKeys = Transfer.Limits().batchKeysMax
    @Option(help: "Most bytes in one batch.")
    var batchBytes = Transfer.Limits().batchBytesMax
    @Option(help: "Directory in which the run creates (and afterwards removes) its own cairn-bench-<id> directory; created when missing. Default: the system temporary directory.")
    var dataDir: String?

    func validate() throws {
        _ = try engine(from, option: "--from")
        _ = try engine(to, option: "--to")
        guard bytesPerSecond >= 0 else { throw ValidationError("--bytes-per-second is \(bytesPerSecond), must be 0 (unthrottled) or more") }
        if let problem = try settings().problem() { throw ValidationError(problem) }
    }

    func run() throws {
        let settings = try settings()
        let parent = try dataDir.map { path throws(RuntimeError) in
            try PathArguments.prepareDirectory(path, option: "--data-dir")
            return path
        } ?? NSTemporaryDirectory()
        let cleanup = SignalCleanup.shared
        cleanup.install()
        let root = (parent.hasSuffix("/") ? parent : parent + "/") + "cairn-bench-\(UUID().uuidString.prefix(8))"
        try cleanup.createDirectory(root)
        defer { cleanup.removeDirectory(root) }
        let machine = MachineInfo.current()
        if machine.build == "debug" { printError("warning: this is a debug build; use `swift build -c release` for real figures") }
        let throttle = bytesPerSecond == 0 ? "unthrottled" : String(format: "throttle %.2f MB/s", Double(bytesPerSecond) / 1e6)
        say("cairn bench transfer: \(keys) keys × \(valueBytes)-byte values, \(from) → \(to), \(throttle), batches ≤ \(batchKeys) keys / \(batchBytes) bytes")
        say("  \(machine.summary)")
        let result = try TransferRun(settings: settings, directory: root).run { say("  " + $0) }
        say(String(format: "  moved %d keys (%.2f MB) in %d batches in %.3f s: %.0f keys/s, %.2f MB/s",
                   result.keys, Double(result.bytes) / 1e6, result.batches, result.seconds, result.keysPerSecond, result.megabytesPerSecond))
    }

    private func settings() throws -> TransferRun.Settings {
        TransferRun.Settings(
            keys: keys, valueBytes: valueBytes, sender: try engine(from, option: "--from"), receiver: try engine(to, option: "--to"),
            limits: Transfer.Limits(
                batchKeysMax: batchKeys, batchBytesMax: batchBytes, bytesPerSecondMax: bytesPerSecond == 0 ? nil : bytesPerSecond))
    }

    private func engine(_ name: String, option: String) throws -> EngineKind {
        guard let kind = EngineKind(rawValue: name) else {
            throw ValidationError("\(option): unknown engine '\(name)': known engines are memory, lmdb, leveldb, rocksdb")
        }
        return kind
    }
}
