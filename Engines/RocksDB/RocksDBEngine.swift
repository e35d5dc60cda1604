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

    /// Info log files (`LOG`, `LOG.old.*`) RocksDB keeps in the table directory.
    static let infoLogFilesKept = 5
    /// Largest info log file before RocksDB starts a new one.
    static let infoLogFileBytesMax = 1 << 20

    private let gate = ReadWriteLock()
    // Written only under the exclusive gate.
    private var database: OpaquePointer?
    private let openOptions: OpaquePointer
    private let cache: OpaquePointer?
    private let readOptions: OpaquePointer
    private let writeOptions: OpaquePointer

    /// Opens (creating when missing) the database in `directory`.
    public init(directory: String, durability: Durability = .sync, options: RocksDBOptions = RocksDBOptions()) throws {
        if let problem = options.problem { throw StorageError.invalidOptions(engine: .rocksdb, problem: problem) }
        try DirectoryCheck.prepare(directory)
        try EngineKind.rocksdb.checkOwns(directory: directory)
        self.path = directory
        self.durability = durability
        self.options = options

        openOptions = try Self.makeOpenOptions(path: directory)
        rocksdb_options_set_create_if_missing(openOptions, 1)
        rocksdb_options_set_paranoid_checks(openOptions, 1)
        rocksdb_options_set_write_buffer_size(openOptions, options.writeBufferBytes)
        rocksdb_options_set_max_open_files(openOptions, Int32(options.openFilesMax))
        rocksdb_options_set_max_background_jobs(openOptions, Int32(options.backgroundJobsMax))
        rocksdb_options_set_compression(openOptions, options.compression.nativeValue)
        rocksdb_options_set_keep_log_file_num(openOptions, Self.infoLogFilesKept)
        rocksdb_options_set_max_log_file_size(openOptions, Self.infoLogFileBytesMax)
        cache = options.blockCacheBytes > 0 ? rocksdb_cache_create_lru(options.blockCacheBytes) : nil
        Self.setTableOptions(openOptions, cache: cache, bloomFilterBitsPerKey: options.bloomFilterBitsPerKey)

        readOptions = rocksdb_readoptions_create()
        rocksdb_readoptions_set_verify_checksums(readOptions, options.verifyChecksums ? 1 : 0)
        writeOptions = rocksdb_writeoptions_create()
        rocksdb_writeoptions_set_sync(writeOptions, durability == .sync ? 1 : 0)

        var error: RocksDBStatus.ErrorSlot = nil
        let opened = rocksdb_open(openOptions, directory, &error)
        // On failure the object is fully initialized, so deinit releases the options.
        try RocksDBStatus.check(error, "rocksdb_open", path: directory)
        guard let opened else { preconditionFailure("rocksdb_open succeeded without a database") }
        database = opened
    }

    /// RocksDB settings the C API has no setter for, applied as an options string. `allow_fallocate=false`: RocksDB
    /// would otherwise reserve 1.1 write buffers for every WAL and 4 MiB for every MANIFEST, 74 MiB on disk for
    /// an empty table, which a node with many tables cannot afford and which would hide the real data size.
    static let optionsString = "allow_fallocate=false"

    /// Fresh options with `optionsString` applied.
    private static func makeOpenOptions(path: String) throws(StorageError) -> OpaquePointer {
        let base = rocksdb_options_create()
        defer { rocksdb_options_destroy(base) }
        let options = rocksdb_options_create()!
        var error: RocksDBStatus.ErrorSlot = nil
        rocksdb_get_options_from_string(base, optionsString, options, &error)
        do {
            try RocksDBStatus.check(error, "rocksdb_get_options_from_string", path: path)
        } catch {
            rocksdb_options_destroy(options)
            throw error
        }
        return options
    }

    /// Installs the block-based table options: the block cache and the bloom filter. The factory copies them
    /// and takes over the filter policy, so only the cache handle stays ours.
    private static func setTableOptions(_ openOptions: OpaquePointer, cache: OpaquePointer?, bloomFilterBitsPerKey: Int) {
        let tableOptions = rocksdb_block_based_options_create()
        defer { rocksdb_block_based_options_destroy(tableOptions) }
        if let cache {
            rocksdb_block_based_options_set_block_cache(tableOptions, cache)
        } else {
            rocksdb_block_based_options_set_no_block_cache(tableOptions, 1)
        }
        if bloomFilterBitsPerKey > 0 {
            rocksdb_block_based_options_set_filter_policy(
                tableOptions, rocksdb_filterpolicy_create_bloom_full(Double(bloomFilterBitsPerKey)))
        }
        rocksdb_options_set_block_based_table_factory(openOptions, tableOptions)
    }

    deinit {
        if let database { rocksdb_close(database) }
        releaseOptions()
    }

    public func withValue<Result>(
        forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try StorageLimits.check(key: key)
        return try gate.withReadLock {
            let database = try openDatabase()
            var error: RocksDBStatus.ErrorSlot = nil
            let pinned = key.withUnsafeBytes { rawKey in
                rocksdb_get_pinned(database, readOptions, rawKey.baseAddress, rawKey.count, &error)
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
                        database, writeOptions, rawKey.baseAddress, rawKey.count, rawValue.baseAddress,
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
                rocksdb_delete(database, writeOptions, rawKey.baseAddress, rawKey.count, &error)
            }
            try RocksDBStatus.check(error, "rocksdb_delete", path: path)
        }
    }

    public func apply(_ batch: WriteBatch) throws {
        try StorageLimits.check(batch: batch)
        guard !batch.isEmpty else { return }
        try gate.withReadLock {
            let database = try openDatabase()
            let native = rocksdb_writebatch_create()
            defer { rocksdb_writebatch_destroy(native) }
            for operation in batch.operations {
                switch operation {
                case .put(let key, let value):
                    key.withUnsafeBytes { rawKey in
                        value.withUnsafeBytes { rawValue in
                            rocksdb_writebatch_put(native, rawKey.baseAddress, rawKey.count, rawValue.baseAddress, rawValue.count)
                        }
                    }
                case .delete(let key):
                    key.withUnsafeBytes { rocksdb_writebatch_delete(native, $0.baseAddress, $0.count) }
                }
            }
            var error: RocksDBStatus.ErrorSlot = nil
            rocksdb_write(database, writeOptions, native, &error)
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
            let iterator = rocksdb_create_iterator(try openDatabase(), readOptions)
            defer { rocksdb_iter_destroy(iterator) }
            if let lowerBound = range.lowerBound {
                lowerBound.withUnsafeBytes { rocksdb_iter_seek(iterator, $0.baseAddress, $0.count) }
            } else {
                rocksdb_iter_seek_to_first(iterator)
            }
            while rocksdb_iter_valid(iterator) != 0 {
                var keyLength = 0
                var valueLength = 0
                let rawKey = UnsafeRawBufferPointer(start: rocksdb_iter_key(iterator, &keyLength), count: keyLength)
                if range.isPastEnd(rawKey) { break }
                let rawValue = UnsafeRawBufferPointer(
                    start: rocksdb_iter_value(iterator, &valueLength), count: valueLength)
                if try visit(rawKey, rawValue) == .stop { break }
                rocksdb_iter_next(iterator)
            }
            var error: RocksDBStatus.ErrorSlot = nil
            rocksdb_iter_get_error(iterator, &error)
            try RocksDBStatus.check(error, "rocksdb_iter", path: path)
        }
    }

    /// Counts entries with a key scan (RocksDB's `estimate-num-keys` is only an estimate) and sizes the
    /// directory's files (table files and the WAL).
    public func statistics() throws -> EngineStatistics {
        var entryCount = 0
        try scan(.all) { _, _ in
            entryCount += 1
            return .next
        }
        return EngineStatistics(entryCount: entryCount, approximateBytes: DirectoryCheck.bytesOnDisk(path))
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

    private func releaseOptions() {
        rocksdb_options_destroy(openOptions)
        if let cache { rocksdb_cache_destroy(cache) }
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_writeoptions_destroy(writeOptions)
    }
}

extension RocksDBCompression {
    /// The C API's compression constant (`rocksdb_snappy_compression`, …).
    public var nativeValue: Int32 {
        switch self {
        case .none: Int32(rocksdb_no_compression)
        case .snappy: Int32(rocksdb_snappy_compression)
        case .lz4: Int32(rocksdb_lz4_compression)
        case .zstd: Int32(rocksdb_zstd_compression)
        }
    }
}
