import CRocksDB
import CairnStorage

/// The RocksDB engine: one RocksDB database (default column family) per table directory, through RocksDB's C API.
///
/// Like LevelDB it compacts in background threads and may stall writers while they catch up. Buffered
/// durability writes the WAL without fsync (a process crash loses nothing, a power loss may lose the latest
/// writes); sync durability fsyncs the WAL on every write, and `sync()` fsyncs it on demand. Reads and writes
/// reuse one set of read and write options, and gets return RocksDB's pinned value (no copy out of the block
/// cache or memtable). `gate` is held shared by every call and exclusive by close, so handles are never freed
/// under a call.
public final class RocksDBEngine: StorageEngine, @unchecked Sendable {
    public let kind = EngineKind.rocksdb
    public let path: String
    public let durability: Durability
    public let options: RocksDBOptions

    private let gate = ReadWriteLock()
    // Written only under the exclusive gate.
    private var database: OpaquePointer?
    private let native: RocksDBNativeOptions

    /// Opens (creating when missing) the database in `directory`.
    public init(directory: String, durability: Durability = .sync, options: RocksDBOptions = RocksDBOptions()) throws {
        if let problem = options.problem { throw StorageError.invalidOptions(engine: .rocksdb, problem: problem) }
        try DirectoryCheck.prepare(directory)
        try EngineKind.rocksdb.checkOwns(directory: directory)
        self.path = directory
        self.durability = durability
        self.options = options

        native = try RocksDBNativeOptions(options, durability: durability, path: directory)

        var error: RocksDBStatus.ErrorSlot = nil
        let opened = rocksdb_open(native.open, directory, &error)
        try RocksDBStatus.check(error, "rocksdb_open", path: directory)
        guard let opened else { preconditionFailure("rocksdb_open succeeded without a database") }
        database = opened
    }

    deinit {
        if let database { rocksdb_close(database) }
    }

    public func withValue<Result>(
        forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try StorageLimits.check(key: key)
        return try gate.withReadLock {
            let database = try openDatabase()
            var error: RocksDBStatus.ErrorSlot = nil
            let pinned = key.withUnsafeBytes { rawKey in
                rocksdb_get_pinned(database, native.read, rawKey.baseAddress, rawKey.count, &error)
            }
            try RocksDBStatus.check(error, "rocksdb_get_pinned", path: path)
            guard let pinned else { return try body(nil) }
            defer { rocksdb_pinnableslice_destroy(pinned) }
            var length = 0
            let value = rocksdb_pinnableslice_value(pinned, &length)
            return try body(UnsafeRawBufferPointer(start: value, count: length))
        }
    }

    public func put(_ key: Bytes, _ value: Bytes) throws {
        try StorageLimits.check(key: key)
        try StorageLimits.check(value: value)
        try gate.withReadLock {
            let database = try openDatabase()
            var error: RocksDBStatus.ErrorSlot = nil
            key.withUnsafeBytes { rawKey in
                value.withUnsafeBytes { rawValue in
                    rocksdb_put(
                        database, native.write, rawKey.baseAddress, rawKey.count, rawValue.baseAddress,
                        rawValue.count, &error)
                }
            }
            try RocksDBStatus.check(error, "rocksdb_put", path: path)
        }
    }

    public func delete(_ key: Bytes) throws {
        try StorageLimits.check(key: key)
        try gate.withReadLock {
            let database = try openDatabase()
            var error: RocksDBStatus.ErrorSlot = nil
            key.withUnsafeBytes { rawKey in
                rocksdb_delete(database, native.write, rawKey.baseAddress, rawKey.count, &error)
            }
            try RocksDBStatus.check(error, "rocksdb_delete", path: path)
        }
    }

    public func apply(_ batch: WriteBatch) throws {
        try StorageLimits.check(batch: batch)
        guard !batch.isEmpty else { return }
        try gate.withReadLock {
            let database = try openDatabase()
            let nativeBatch = rocksdb_writebatch_create()
            defer { rocksdb_writebatch_destroy(nativeBatch) }
            batch.forEachRaw(
                put: { rocksdb_writebatch_put(nativeBatch, $0.baseAddress, $0.count, $1.baseAddress, $1.count) },
                delete: { rocksdb_writebatch_delete(nativeBatch, $0.baseAddress, $0.count) })
            var error: RocksDBStatus.ErrorSlot = nil
            rocksdb_write(database, native.write, nativeBatch, &error)
            try RocksDBStatus.check(error, "rocksdb_write", path: path)
        }
    }

    public func scan(
        _ range: KeyRange,
        _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision
    ) throws {
        guard !range.isEmpty else { return }
        try gate.withReadLock {
            // An iterator reads the implicit snapshot taken when it is created.
            let iterator = rocksdb_create_iterator(try openDatabase(), native.read)
            defer { rocksdb_iter_destroy(iterator) }
            try range.scan(with: RocksDBIterator(iterator), visit)
            var error: RocksDBStatus.ErrorSlot = nil
            rocksdb_iter_get_error(iterator, &error)
            try RocksDBStatus.check(error, "rocksdb_iter", path: path)
        }
    }

    /// Counts entries with a key scan (RocksDB's `estimate-num-keys` is only an estimate) and sizes the
    /// directory's files (table files and the WAL).
    public func statistics() throws -> EngineStatistics {
        EngineStatistics(entryCount: try entryCountByScan(), approximateBytes: DirectoryCheck.bytesOnDisk(path))
    }

    /// Fsyncs the WAL, making every acknowledged write durable.
    public func sync() throws {
        try gate.withReadLock {
            let database = try openDatabase()
            var error: RocksDBStatus.ErrorSlot = nil
            rocksdb_flush_wal(database, 1, &error)
            try RocksDBStatus.check(error, "rocksdb_flush_wal(sync)", path: path)
        }
    }

    public func close() throws {
        gate.withWriteLock {
            if let database { rocksdb_close(database) }
            database = nil
        }
    }

    private func openDatabase() throws(StorageError) -> OpaquePointer {
        guard let database else { throw .closed(engine: .rocksdb) }
        return database
    }
}
