import CairnEngines
import CairnProcessCleanup
import CairnStorage
import Foundation

/// One engine of a kind for one benchmark at a time: `open` makes a fresh directory of its own and an engine in
/// it (optionally preloaded), `close` closes the engine and removes that directory and nothing else; SIGINT and
/// SIGTERM remove it too (the `cairn` tool's own `SignalCleanup`).
///
/// Keys are precomputed so the harness allocates nothing per operation.
final class EngineBenchFixture: @unchecked Sendable {
    static let preloadedKeys = 100_000
    /// Most keys the ascending-insert benchmark writes.
    static let ascendingKeysMax = 1_000_000
    static let value = Bytes(repeating: 0x61, count: 100)
    /// 16-byte zero-padded decimal keys of the preloaded indices.
    private static let keys: [Bytes] = (0..<preloadedKeys).map { index in
        var key = Bytes(repeating: UInt8(ascii: "0"), count: 16)
        writeDecimal(index, into: &key)
        return key
    }
    /// Keys that sort among the preloaded keys (last digit replaced by '.') but are never written.
    private static let missingKeys: [Bytes] = keys.map { key in
        var missing = key
        missing[15] = UInt8(ascii: ".")
        return missing
    }

    let kind: EngineKind
    let preloaded: Bool
    private let lock = NSLock()
    // Guarded by `lock`.
    private var current: (engine: any StorageEngine, directory: String)?

    init(_ kind: EngineKind, preloaded: Bool) {
        self.kind = kind
        self.preloaded = preloaded
    }

    /// The open engine; only between `open` and `close`.
    var engine: any StorageEngine {
        lock.withLock {
            guard let current else { preconditionFailure("the \(kind) fixture is used outside its benchmark's setup and teardown") }
            return current.engine
        }
    }

    /// Creates a new directory (failing if the name is taken) and opens an engine in it.
    func open() throws {
        try close()
        let directory = NSTemporaryDirectory() + "/cairn-microbench-\(kind)-\(UUID().uuidString.prefix(8))"
        SignalCleanup.shared.install()
        try SignalCleanup.shared.createDirectory(directory)
        do {
            let engine = try TableConfiguration(engine: kind, durability: .buffered).openEngine(in: directory + "/table")
            lock.withLock { current = (engine, directory) }
        } catch {
            SignalCleanup.shared.removeDirectory(directory)
            throw error
        }
        if preloaded { try preload() }
    }

    /// Closes the engine and removes the directory `open` created; does nothing when none is open.
    func close() throws {
        guard let (engine, directory) = lock.withLock({ () -> (any StorageEngine, String)? in
            defer { current = nil }
            return current
        }) else { return }
        defer { SignalCleanup.shared.removeDirectory(directory) }
        try engine.close()
    }

    private func preload() throws {
        var batch = WriteBatch()
        for key in Self.keys {
            batch.put(key, Self.value)
            if batch.count == 10_000 {
                try engine.apply(batch)
                batch = WriteBatch()
            }
        }
        try engine.apply(batch)
    }

    /// The 16-byte key of a preloaded index (taken modulo the preloaded count).
    static func key(_ index: Int) -> Bytes { keys[index % preloadedKeys] }

    /// Steps through the preloaded indices in a scattered order: a multiplier prime to `preloadedKeys` makes
    /// `index * multiplier mod preloadedKeys` a permutation.
    static let scatterMultiplier = 48_271

    /// The preloaded key (or, when `missing`, the never-written key beside it) at the `index`-th place of the
    /// scattered order.
    static func scatteredKey(_ index: Int, missing: Bool = false) -> Bytes {
        let position = index % preloadedKeys * scatterMultiplier % preloadedKeys
        return missing ? missingKeys[position] : keys[position]
    }

    /// Writes `index` into `key` as zero-padded decimal digits, so key order is index order.
    static func writeDecimal(_ index: Int, into key: inout Bytes) {
        var remaining = index
        for position in stride(from: key.count - 1, through: 0, by: -1) {
            key[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
    }
}
