/// Keys and values as every engine sees them: plain bytes, compared byte-wise (memcmp order).
public typealias Bytes = [UInt8]

/// What a visitor of a range scan asks for next.
public enum ScanDecision: Sendable {
    case next
    case stop
}

/// The persistence layer's one protocol: an ordered map from byte keys to byte values.
///
/// Engines know bytes, ranges and durability, nothing about replication. Every method may be called from any
/// thread; one write at a time is applied atomically, and readers never see half of a batch.
///
/// Zero-copy reads (`withValue`, `scan`) hand out bytes that are valid only inside the closure; copy them
/// (`Array(buffer)`) to keep them. Closures must not call back into the same engine.
public protocol StorageEngine: AnyObject, Sendable {
    /// The engine's kind, as in the table catalog: `memory`, `lmdb`, `leveldb` or `rocksdb`.
    var kind: EngineKind { get }

    /// Calls `body` with the value stored under `key` (nil when absent). The buffer is valid only inside `body`.
    func withValue<Result>(forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result) throws -> Result

    /// Stores `value` under `key`, replacing any value already there.
    func put(_ key: Bytes, _ value: Bytes) throws

    /// Removes `key`; removing a missing key is not an error.
    func delete(_ key: Bytes) throws

    /// Applies every operation of `batch` atomically, in order: all of them or none.
    func apply(_ batch: WriteBatch) throws

    /// Visits the entries of `range` in ascending byte-wise key order until `visit` returns `.stop`.
    /// Key and value buffers are valid only during one call of `visit`. The visit sees one consistent snapshot.
    func scan(
        _ range: KeyRange,
        _ visit: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> ScanDecision
    ) throws

    /// An approximate entry count and size; see each engine for how approximate.
    func statistics() throws -> EngineStatistics

    /// Forces every write acknowledged so far onto durable storage, whatever the table's durability.
    func sync() throws

    /// Releases the engine's files and memory. Later calls throw `StorageError.closed`; closing twice is allowed.
    func close() throws
}

extension StorageEngine {
    /// The value stored under `key`, copied out, or nil when absent.
    public func get(_ key: Bytes) throws -> Bytes? {
        try withValue(forKey: key) { buffer in buffer.map { Bytes($0) } }
    }

    /// The number of entries, counted by a key scan (for engines that keep no count: LevelDB, RocksDB).
    public func entryCountByScan() throws -> Int {
        var entryCount = 0
        try scan(.all) { _, _ in
            entryCount += 1
            return .next
        }
        return entryCount
    }

    /// The entries of `range` in ascending key order, copied out, at most `limit` of them.
    public func entries(in range: KeyRange = .all, limit: Int = .max) throws -> [(key: Bytes, value: Bytes)] {
        precondition(limit >= 0, "a scan limit is never negative")
        var result: [(key: Bytes, value: Bytes)] = []
        guard limit > 0 else { return result }
        try scan(range) { key, value in
            result.append((Bytes(key), Bytes(value)))
            return result.count < limit ? .next : .stop
        }
        return result
    }
}
