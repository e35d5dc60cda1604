import CairnStorage

/// A storage engine between a simulated node and its real engine, playing the disk's failures.
///
/// - **Write-back cache**: with `losesUnsyncedWrites`, writes stay in `unsynced` (what an OS page cache or an
///   engine's unsynced log holds) until `sync()`; a power loss (`crash(losingUnsynced: true)`) drops them, and
///   may tear the last one (half its value reaches the disk).
/// - **Failing operations**: while `failing` holds an operation, that operation throws a storage error.
///
/// The inner engine is what survives a power loss: the checkers read the durable state through `durable`.
/// Only one thread uses a simulation, so the wrapper needs no lock of its own.
public final class SimulatedDisk: StorageEngine, @unchecked Sendable {
    /// The operations a disk fault can make throw.
    public enum Operation: Hashable, Sendable { case read, write }

    private(set) var inner: any StorageEngine
    let losesUnsyncedWrites: Bool
    /// Writes not yet on the durable engine, in order (nil value: a delete).
    private(set) var unsynced: [(key: Bytes, value: Bytes?)] = []
    public var failing: Set<Operation> = []

    public init(_ inner: any StorageEngine, losesUnsyncedWrites: Bool) {
        self.inner = inner
        self.losesUnsyncedWrites = losesUnsyncedWrites
    }

    public var kind: EngineKind { inner.kind }

    public func withValue<Result>(forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result) throws -> Result {
        try check(.read)
        if let pending = unsynced.last(where: { $0.key == key }) {
            guard let value = pending.value else { return try body(nil) }
            return try value.withUnsafeBytes { try body($0) }
        }
        return try inner.withValue(forKey: key, body)
    }

    public func put(_ key: Bytes, _ value: Bytes) throws {
        try check(.write)
        guard losesUnsyncedWrites else { return try inner.put(key, value) }
        unsynced.append((key, value))
    }

    public func delete(_ key: Bytes) throws {
        try check(.write)
        guard losesUnsyncedWrites else { return try inner.delete(key) }
        unsynced.append((key, nil))
    }

    public func apply(_ batch: WriteBatch) throws {
        try check(.write)
        for operation in batch.operations {
            switch operation {
            case .put(let key, let value): try put(key, value)
            case .delete(let key): try delete(key)
            }
        }
    }

    /// Scans the durable entries with the unsynced writes laid over them (slow; only starts and checkers scan).
    public func scan(_ range: KeyRange, _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision) throws {
        try check(.read)
        var merged: [Bytes: Bytes] = [:]
        for entry in try inner.entries(in: range) { merged[entry.key] = entry.value }
        for write in unsynced where Self.range(range, holds: write.key) { merged[write.key] = write.value }
        for key in merged.keys.sorted(by: { compareBytes($0, $1) < 0 }) {
            let decision = try key.withUnsafeBytes { rawKey in try merged[key]!.withUnsafeBytes { try visit(rawKey, $0) } }
            if decision == .stop { return }
        }
    }

    public func statistics() throws -> EngineStatistics { try inner.statistics() }

    /// Writes every unsynced write through to the durable engine.
    public func sync() throws {
        try check(.write)
        try flush()
    }

    /// Hands every unsynced write to the durable engine (the OS writing its cache back, failing disk or not).
    private func flush() throws {
        for write in unsynced {
            if let value = write.value { try inner.put(write.key, value) } else { try inner.delete(write.key) }
        }
        unsynced = []
        try inner.sync()
    }

    public func close() throws { try inner.close() }

    /// A process crash keeps every write (the OS still has them); a power loss drops the unsynced ones, and
    /// with `tearingLast` the last of them reaches the disk cut in half.
    public func crash(losingUnsynced: Bool, tearingLast: Bool) throws {
        guard losingUnsynced else { return try flush() }
        if tearingLast, let last = unsynced.last, let value = last.value, value.count > 1 {
            try inner.put(last.key, Array(value.prefix(value.count / 2)))
        }
        unsynced = []
    }

    /// Runs `body` with no operation failing: the checkers read what the disk holds, past its injected faults.
    func withoutFaults<Result>(_ body: () throws -> Result) rethrows -> Result {
        let saved = failing
        failing = []
        defer { failing = saved }
        return try body()
    }

    /// Replaces the durable engine (after a wiped data directory), forgetting every unsynced write.
    func replaceInner(_ engine: any StorageEngine) {
        inner = engine
        unsynced = []
    }

    /// The value a power loss now would leave for `key`.
    func durableValue(_ key: Bytes) throws -> Bytes? { try inner.get(key) }

    static func range(_ range: KeyRange, holds key: Bytes) -> Bool {
        (range.lowerBound.map { compareBytes($0, key) <= 0 } ?? true) && (range.upperBound.map { compareBytes(key, $0) < 0 } ?? true)
    }

    private func check(_ operation: Operation) throws {
        if failing.contains(operation) {
            throw StorageError.io(operation: "\(operation)", path: "simulated disk", reason: "injected disk fault")
        }
    }
}
