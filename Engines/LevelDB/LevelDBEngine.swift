import CLevelDB
import CairnStorage

/// The LevelDB engine: one LevelDB database per table directory, through LevelDB's C API.
///
/// LevelDB runs its own background compaction thread and may stall writers while it catches up, so callers
/// keep writes off event loops. Buffered durability writes to the log without fsync (a process crash loses
/// nothing, a power loss may lose the latest writes); sync durability fsyncs the log on every write.
/// `gate` is held shared by every call and exclusive by close, so handles are never freed under a call.
public final class LevelDBEngine: StorageEngine, @unchecked Sendable {
    public let kind = EngineKind.leveldb
    public let path: String
    public let durability: Durability
    public let options: LevelDBOptions

    private let gate = ReadWriteLock()
    // Written only under the exclusive gate.
    private var database: OpaquePointer?
    private let openOptions: OpaquePointer
    private let cache: OpaquePointer?
    private let filterPolicy: OpaquePointer?
    private let readOptions: OpaquePointer
    private let writeOptions: OpaquePointer
    private let syncWriteOptions: OpaquePointer

    /// Opens (creating when missing) the database in `directory`.
    public init(directory: String, durability: Durability = .sync, options: LevelDBOptions = LevelDBOptions()) throws {
        try DirectoryCheck.prepare(directory)
        try EngineKind.leveldb.checkOwns(directory: directory)
        self.path = directory
        self.durability = durability
        self.options = options

        openOptions = leveldb_options_create()
        leveldb_options_set_create_if_missing(openOptions, 1)
        leveldb_options_set_paranoid_checks(openOptions, 1)
        leveldb_options_set_write_buffer_size(openOptions, options.writeBufferBytes)
        leveldb_options_set_max_open_files(openOptions, Int32(clamping: options.openFilesMax))
        leveldb_options_set_compression(openOptions, Int32(options.compression ? leveldb_snappy_compression : leveldb_no_compression))
        cache = options.blockCacheBytes > 0 ? leveldb_cache_create_lru(options.blockCacheBytes) : nil
        if let cache { leveldb_options_set_cache(openOptions, cache) }
        filterPolicy = options.bloomFilterBitsPerKey > 0
            ? leveldb_filterpolicy_create_bloom(Int32(clamping: options.bloomFilterBitsPerKey)) : nil
        if let filterPolicy { leveldb_options_set_filter_policy(openOptions, filterPolicy) }

        readOptions = leveldb_readoptions_create()
        leveldb_readoptions_set_verify_checksums(readOptions, options.verifyChecksums ? 1 : 0)
        writeOptions = leveldb_writeoptions_create()
        leveldb_writeoptions_set_sync(writeOptions, durability == .sync ? 1 : 0)
        syncWriteOptions = leveldb_writeoptions_create()
        leveldb_writeoptions_set_sync(syncWriteOptions, 1)

        var error: LevelDBStatus.ErrorSlot = nil
        let opened = leveldb_open(openOptions, directory, &error)
        // On failure the object is fully initialized, so deinit releases the options.
        try LevelDBStatus.check(error, "leveldb_open", path: directory)
        guard let opened else { preconditionFailure("leveldb_open succeeded without a database") }
        database = opened
    }

    deinit {
        if let database { leveldb_close(database) }
        releaseOptions()
    }

    public func withValue<Result>(
        forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try StorageLimits.check(key: key)
        return try gate.withReadLock {
            let database = try openDatabase()
            var length = 0
            var error: LevelDBStatus.ErrorSlot = nil
            let found = key.withUnsafeBytes { rawKey in
                leveldb_get(database, readOptions, rawKey.baseAddress, rawKey.count, &length, &error)
            }
            try LevelDBStatus.check(error, "leveldb_get", path: path)
            guard let found else { return try body(nil) }
            defer { leveldb_free(found) }
            return try body(UnsafeRawBufferPointer(start: found, count: length))
        }
    }

    public func put(_ key: Bytes, _ value: Bytes) throws {
        try StorageLimits.check(key: key)
        try StorageLimits.check(value: value)
        try gate.withReadLock {
            let database = try openDatabase()
            var error: LevelDBStatus.ErrorSlot = nil
            key.withUnsafeBytes { rawKey in
                value.withUnsafeBytes { rawValue in
                    leveldb_put(
                        database, writeOptions, rawKey.baseAddress, rawKey.count, rawValue.baseAddress,
                        rawValue.count, &error)
                }
            }
            try LevelDBStatus.check(error, "leveldb_put", path: path)
        }
    }

    public func delete(_ key: Bytes) throws {
        try StorageLimits.check(key: key)
        try gate.withReadLock {
            let database = try openDatabase()
            var error: LevelDBStatus.ErrorSlot = nil
            key.withUnsafeBytes { rawKey in
                leveldb_delete(database, writeOptions, rawKey.baseAddress, rawKey.count, &error)
            }
            try LevelDBStatus.check(error, "leveldb_delete", path: path)
        }
    }

    public func apply(_ batch: WriteBatch) throws {
        try StorageLimits.check(batch: batch)
        guard !batch.isEmpty else { return }
        try write(batch, with: writeOptions, operation: "leveldb_write")
    }

    public func scan(
        _ range: KeyRange,
        _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision
    ) throws {
        guard !range.isEmpty else { return }
        try gate.withReadLock {
            // An iterator reads the snapshot taken when it is created.
            let iterator = leveldb_create_iterator(try openDatabase(), readOptions)
            defer { leveldb_iter_destroy(iterator) }
            try range.scan(with: LevelDBIterator(iterator), visit)
            var error: LevelDBStatus.ErrorSlot = nil
            leveldb_iter_get_error(iterator, &error)
            try LevelDBStatus.check(error, "leveldb_iter", path: path)
        }
    }

    /// Counts entries with a key scan (LevelDB keeps no count) and sizes the directory's files.
    public func statistics() throws -> EngineStatistics {
        EngineStatistics(entryCount: try entryCountByScan(), approximateBytes: DirectoryCheck.bytesOnDisk(path))
    }

    /// Fsyncs the log by writing an empty batch with the sync option.
    public func sync() throws {
        try write(WriteBatch(), with: syncWriteOptions, operation: "leveldb_write(sync)")
    }

    public func close() throws {
        gate.withWriteLock {
            if let database { leveldb_close(database) }
            database = nil
        }
    }

    private func write(_ batch: WriteBatch, with writeOptions: OpaquePointer, operation: String) throws {
        try gate.withReadLock {
            let database = try openDatabase()
            let native = leveldb_writebatch_create()
            defer { leveldb_writebatch_destroy(native) }
            batch.forEachRaw(
                put: { leveldb_writebatch_put(native, $0.baseAddress, $0.count, $1.baseAddress, $1.count) },
                delete: { leveldb_writebatch_delete(native, $0.baseAddress, $0.count) })
            var error: LevelDBStatus.ErrorSlot = nil
            leveldb_write(database, writeOptions, native, &error)
            try LevelDBStatus.check(error, operation, path: path)
        }
    }

    private func openDatabase() throws(StorageError) -> OpaquePointer {
        guard let database else { throw .closed(engine: .leveldb) }
        return database
    }

    private func releaseOptions() {
        leveldb_options_destroy(openOptions)
        if let cache { leveldb_cache_destroy(cache) }
        if let filterPolicy { leveldb_filterpolicy_destroy(filterPolicy) }
        leveldb_readoptions_destroy(readOptions)
        leveldb_writeoptions_destroy(writeOptions)
        leveldb_writeoptions_destroy(syncWriteOptions)
    }
}
