import CairnStorage

/// Options of the in-memory engine.
public struct MemoryOptions: Codable, Sendable, Equatable {
    /// Most key and value bytes the engine holds before writes fail with `StorageError.engineFull`.
    public var bytesMax: Int

    public static let defaultBytesMax = 4 << 30

    public init(bytesMax: Int = MemoryOptions.defaultBytesMax) {
        precondition(bytesMax > 0, "bytesMax is positive")
        self.bytesMax = bytesMax
    }
}

/// The in-memory engine: a sharded hash map for point operations plus a sorted index of chunks for range scans,
/// sharing one entry allocation (key and value bytes inline) per key, behind a reader-writer lock. Neither index
/// is ever rebuilt whole, so no single write stalls. Nothing survives close or a crash, so durability settings do
/// not apply; use it for caches, tests and as the fastest baseline.
public final class MemoryEngine: StorageEngine, @unchecked Sendable {
    public let kind = EngineKind.memory
    public let options: MemoryOptions

    private let lock = ReadWriteLock()
    // Guarded by `lock`.
    private var entries = ShardedKeyMap()
    private var orderedKeys = SortedKeyIndex()
    private var payloadBytes = 0
    private var isClosed = false

    public init(options: MemoryOptions = MemoryOptions()) {
        self.options = options
    }

    public func withValue<Result>(
        forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try StorageLimits.check(key: key)
        return try lock.withReadLock {
            try checkOpen()
            let found = key.withUnsafeBytes { entries.entry(for: $0, hash: entries.hash($0)) }
            guard let entry = found else { return try body(nil) }
            return try entry.withValue { try body($0) }
        }
    }

    public func put(_ key: Bytes, _ value: Bytes) throws {
        try StorageLimits.check(key: key)
        try StorageLimits.check(value: value)
        try lock.withWriteLock {
            try checkOpen()
            try reserve(key.count + value.count)
            store(key, value)
        }
    }

    public func delete(_ key: Bytes) throws {
        try StorageLimits.check(key: key)
        try lock.withWriteLock {
            try checkOpen()
            remove(key)
        }
    }

    public func apply(_ batch: WriteBatch) throws {
        try StorageLimits.check(batch: batch)
        try lock.withWriteLock {
            try checkOpen()
            // The limit is checked for the whole batch before any write, so a refused batch changes nothing.
            try reserve(batch.payloadBytes)
            payloadBytes -= batch.payloadBytes
            for operation in batch.operations {
                switch operation {
                case .put(let key, let value):
                    payloadBytes += key.count + value.count
                    store(key, value)
                case .delete(let key):
                    remove(key)
                }
            }
        }
    }

    public func scan(
        _ range: KeyRange,
        _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision
    ) throws {
        try lock.withReadLock {
            try checkOpen()
            try orderedKeys.scan(range) { entry in
                try entry.withKeyAndValue { try visit($0, $1) }
            }
        }
    }

    public func statistics() throws -> EngineStatistics {
        try lock.withReadLock {
            try checkOpen()
            return EngineStatistics(entryCount: entries.count, approximateBytes: payloadBytes)
        }
    }

    public func sync() throws {
        try lock.withReadLock { try checkOpen() }
    }

    public func close() throws {
        lock.withWriteLock {
            isClosed = true
            entries = ShardedKeyMap()
            orderedKeys = SortedKeyIndex()
            payloadBytes = 0
        }
    }

    /// Stores an entry whose bytes `reserve` already counted. Call with the write lock held.
    private func store(_ key: Bytes, _ value: Bytes) {
        let (hash, found) = key.withUnsafeBytes { raw in
            let hash = entries.hash(raw)
            return (hash, entries.entry(for: raw, hash: hash))
        }
        if let entry = found {
            payloadBytes -= key.count + entry.valueBytes
            guard !entry.replaceValue(with: value) else { return }
            // The new value does not fit the old allocation: both indexes take a new entry.
            let resized = MemoryEntry.make(key: key, value: value)
            entries.set(resized, hash: hash)
            orderedKeys.replace(with: resized)
        } else {
            let entry = MemoryEntry.make(key: key, value: value)
            entries.set(entry, hash: hash)
            orderedKeys.insert(entry)
        }
    }

    /// Removes an entry if present, releasing its bytes. Call with the write lock held.
    private func remove(_ key: Bytes) {
        let removedEntry = key.withUnsafeBytes { entries.remove($0, hash: entries.hash($0)) }
        guard let removed = removedEntry else { return }
        orderedKeys.remove(key)
        payloadBytes -= key.count + removed.valueBytes
    }

    /// Accounts for `bytes` more, or throws when that would pass `bytesMax`. Call with the write lock held.
    private func reserve(_ bytes: Int) throws(StorageError) {
        let total = payloadBytes + bytes
        guard total <= options.bytesMax else {
            throw .engineFull(engine: .memory, limitName: "bytesMax", limit: options.bytesMax)
        }
        payloadBytes = total
    }

    private func checkOpen() throws(StorageError) {
        if isClosed { throw .closed(engine: .memory) }
    }
}
