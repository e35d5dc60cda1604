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
/// sharing one entry allocation (key and value bytes inline) per key. Neither index is ever rebuilt whole, so no
/// single write stalls. Nothing survives close or a crash, so durability settings do not apply; use it for caches,
/// tests and as the fastest baseline.
///
/// Locking: a point read takes only its shard's lock, shared (`ShardedKeyMap.withEntry`), so readers never queue
/// behind the engine-wide lock. Every write takes the engine-wide `writerLock` exclusive (one writer at a time) and,
/// while it changes the point map, the locks of the shards it touches, exclusive; a batch takes all of its shards'
/// locks before its first change and keeps them to its end, so a reader sees all of a batch or none of it.
///
/// Scans never wait for writers but small batches, nor writers for scans: a scan copies the sorted index (a
/// copy-on-write value, so the copy is a snapshot) under `snapshotLock`, a spin lock held for a few instructions,
/// and walks its copy with no lock held. A writer changes the index under `snapshotLock`, copying only the path it
/// changes while a snapshot shares it. A batch gathers its index changes (`IndexChange`) and makes them at once:
/// in place, holding `snapshotLock` throughout, when no scan walks a snapshot and it has at most
/// `inPlaceBatchChangesMax` of them (a scan that starts meanwhile waits for them, so their count is bounded);
/// else on a copy of the index, built without `snapshotLock` and then published whole. A copy pays a retain per
/// entry of every chunk it changes (and a release when the old index goes), which made a batch of random inserts
/// twice as slow as LevelDB's. While any scan walks a snapshot (`SnapshotLock.noScanWalking` is false), an
/// overwrite never changes a value in place: it makes a new entry, so the old one stays whole for the snapshots
/// that hold it.
public final class MemoryEngine: StorageEngine, @unchecked Sendable {
    public let kind = EngineKind.memory
    public let options: MemoryOptions

    /// How many operations ahead a batch prefetches the hash slot of the key it will store.
    static let batchPrefetchDistance = 8
    /// Most index changes a batch makes in place, holding `snapshotLock` (so scans that start wait for them);
    /// a larger batch changes a copy of the index.
    static let inPlaceBatchChangesMax = 1_024

    private let writerLock = ReadWriteLock()
    /// Guards `orderedKeys`; counts the scans walking a snapshot.
    private let snapshotLock = SnapshotLock()
    /// The point map; its shards are guarded by their own locks, its `count` by `writerLock`.
    private let entries = ShardedKeyMap()
    /// Changed under `writerLock` and `snapshotLock`; copied by scans under `snapshotLock`.
    private var orderedKeys = SharedSortedIndex()
    /// Guarded by `writerLock`.
    private var payloadBytes = 0
    /// Written with `writerLock`, every shard lock and `snapshotLock` held; read holding any of them.
    private var isClosed = false

    /// Mappings for large values, populated ahead of the puts that take them; stopped on close.
    let prefaultPool: PrefaultPool

    public convenience init(options: MemoryOptions = MemoryOptions()) {
        self.init(options: options, prefaultedBytesMax: PrefaultPool.defaultPrefaultedBytesMax)
    }

    /// An engine whose pool of populated large-value mappings holds at most `prefaultedBytesMax` bytes (0: none),
    /// its refiller thread counted against `budget`.
    init(options: MemoryOptions, prefaultedBytesMax: Int, budget: RefillerBudget = .shared) {
        self.options = options
        prefaultPool = PrefaultPool(prefaultedBytesMax: prefaultedBytesMax, budget: budget)
    }

    deinit {
        prefaultPool.stop()
    }

    /// Bytes of populated mappings held ready for large values, beyond the payload and outside `bytesMax` (at most
    /// `PrefaultPool.defaultPrefaultedBytesMax`, and 0 after close); resident memory the engine holds.
    public var prefaultedBytes: Int { prefaultPool.pooledBytes }

    public func withValue<Result>(
        forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try StorageLimits.check(key: key)
        return try key.withUnsafeBytes { raw in
            try entries.withEntry(for: raw, hash: entries.hash(raw)) { found in
                try checkOpen()
                guard let entry = found else { return try body(nil) }
                return try entry.withValue { try body($0) }
            }
        }
    }

    public func put(_ key: Bytes, _ value: Bytes) throws {
        try StorageLimits.check(key: key)
        try StorageLimits.check(value: value)
        try writerLock.withWriteLock {
            let hash = key.withUnsafeBytes { entries.hash($0) }
            // The slot loads while the checks and the shard lock run.
            entries.prefetchSlot(hash: hash)
            try checkOpen()
            try reserve(key.count + value.count)
            var unbatched: [IndexChange]?
            entries.withShardLocked(hash: hash) { store(key, value, hash: hash, batchChanges: &unbatched) }
        }
    }

    public func delete(_ key: Bytes) throws {
        try StorageLimits.check(key: key)
        try writerLock.withWriteLock {
            try checkOpen()
            let hash = key.withUnsafeBytes { entries.hash($0) }
            var unbatched: [IndexChange]?
            entries.withShardLocked(hash: hash) { remove(key, hash: hash, batchChanges: &unbatched) }
        }
    }

    public func apply(_ batch: WriteBatch) throws {
        try StorageLimits.check(batch: batch)
        try writerLock.withWriteLock {
            try checkOpen()
            // The limit is checked for the whole batch before any write, so a refused batch changes nothing.
            try reserve(batch.payloadBytes)
            payloadBytes -= batch.payloadBytes
            let hashes = batch.operations.map { operation in
                switch operation {
                case .put(let key, _), .delete(let key): key.withUnsafeBytes { entries.hash($0) }
                }
            }
            var batchChanges: [IndexChange]? = []
            batchChanges!.reserveCapacity(batch.count)
            // The index before the batch, when the batch changed a copy; released after the shard locks.
            var replaced: SharedSortedIndex?
            entries.withShardsLocked(hashes: hashes) {
                // The slot of the key a few operations ahead is loaded while this one is stored (a batch of new keys
                // misses the cache on every slot otherwise).
                for ahead in hashes.prefix(Self.batchPrefetchDistance) { entries.prefetchSlot(hash: ahead) }
                for (index, (operation, hash)) in zip(batch.operations, hashes).enumerated() {
                    if index + Self.batchPrefetchDistance < hashes.count {
                        entries.prefetchSlot(hash: hashes[index + Self.batchPrefetchDistance])
                    }
                    switch operation {
                    case .put(let key, let value):
                        payloadBytes += key.count + value.count
                        store(key, value, hash: hash, batchChanges: &batchChanges)
                    case .delete(let key):
                        remove(key, hash: hash, batchChanges: &batchChanges)
                    }
                }
                replaced = publish(batchChanges!)
            }
            replaced = nil
        }
    }

    /// Makes a batch's index changes visible to scans all at once: in place when that is cheap and no scan walks a
    /// snapshot, else on a copy that replaces the index; returns the index replaced, if any, for the caller to
    /// release outside its locks. Call with `writerLock` held exclusive.
    private func publish(_ changes: [IndexChange]) -> SharedSortedIndex? {
        if changes.count <= Self.inPlaceBatchChangesMax {
            let done = snapshotLock.withLock { () -> Bool in
                guard snapshotLock.noScanWalking else { return false }
                orderedKeys.change { index in for change in changes { change.apply(to: &index) } }
                return true
            }
            if done { return nil }
        }
        // Only writers change `orderedKeys`, and this one holds `writerLock`: reading it needs no other lock.
        var copy = orderedKeys
        copy.change { index in for change in changes { change.apply(to: &index) } }
        snapshotLock.withLock { swap(&orderedKeys, &copy) }
        return copy
    }

    public func scan(
        _ range: KeyRange,
        _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision
    ) throws {
        // One retain and one count under the lock; both are dropped with no lock when the scan ends.
        let snapshot = try snapshotLock.withLock {
            try checkOpen()
            snapshotLock.scanStarted()
            return orderedKeys
        }
        defer { snapshotLock.scanEnded() }
        try snapshot.scan(range) { entry in
            try entry.withKeyAndValue { try visit($0, $1) }
        }
    }

    public func statistics() throws -> EngineStatistics {
        try writerLock.withReadLock {
            try checkOpen()
            return EngineStatistics(entryCount: entries.count, approximateBytes: payloadBytes)
        }
    }

    public func sync() throws {
        try writerLock.withReadLock { try checkOpen() }
    }

    public func close() throws {
        writerLock.withWriteLock {
            guard !isClosed else { return }
            entries.withAllShardsLocked { snapshotLock.withLock { isClosed = true } }
            entries.removeAll()
            var released = SharedSortedIndex()
            snapshotLock.withLock { swap(&orderedKeys, &released) }
            payloadBytes = 0
            prefaultPool.stop()
        }
    }

    /// Stores an entry whose bytes `reserve` already counted. Call with `writerLock` and the key's shard lock held
    /// exclusive. A batch passes the list of its index changes in `batchChanges`, to which this adds (and never
    /// overwrites a value in place, as scans would see that before the batch is published); a single write passes
    /// nil and changes the index at once.
    private func store(_ key: Bytes, _ value: Bytes, hash: UInt64, batchChanges: inout [IndexChange]?) {
        let found = key.withUnsafeBytes { entries.entry(for: $0, hash: hash) }
        if let entry = found {
            payloadBytes -= key.count + entry.valueBytes
            // In place only while no scan holds a snapshot; the lock keeps one from starting meanwhile.
            if batchChanges == nil, snapshotLock.withLock({ snapshotLock.noScanWalking && entry.replaceValue(with: value) }) {
                return
            }
            // The value does not fit the old allocation, or a snapshot may hold it: both indexes take a new entry.
            let resized = MemoryEntry.make(key: key, value: value, pool: prefaultPool)
            entries.set(resized, hash: hash)
            changeIndex(.replace(resized), &batchChanges)
        } else {
            let entry = MemoryEntry.make(key: key, value: value, pool: prefaultPool)
            entries.set(entry, hash: hash)
            changeIndex(.insert(entry), &batchChanges)
        }
    }

    /// Removes an entry if present, releasing its bytes. Call with `writerLock` and the key's shard lock held
    /// exclusive; `batchChanges` as for `store`.
    private func remove(_ key: Bytes, hash: UInt64, batchChanges: inout [IndexChange]?) {
        let removedEntry = key.withUnsafeBytes { entries.remove($0, hash: hash) }
        guard let removed = removedEntry else { return }
        changeIndex(.remove(key), &batchChanges)
        payloadBytes -= key.count + removed.valueBytes
    }

    /// Adds `change` to a batch's changes, or makes it in the published index under `snapshotLock`.
    @inline(__always)
    private func changeIndex(_ change: IndexChange, _ batchChanges: inout [IndexChange]?) {
        if batchChanges != nil {
            batchChanges!.append(change)
        } else {
            snapshotLock.withLock { orderedKeys.change { change.apply(to: &$0) } }
        }
    }

    /// Accounts for `bytes` more, or throws when that would pass `bytesMax`. Call with `writerLock` held exclusive.
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
