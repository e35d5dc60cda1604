import CRocksDB
import CairnStorage

/// The C option objects of one RocksDB engine, built from `RocksDBOptions` and a durability, and released
/// together when the engine goes. The engine reuses the read and write options for every call.
final class RocksDBNativeOptions {
    /// Info log files (`LOG`, `LOG.old.*`) RocksDB keeps in the table directory.
    static let infoLogFilesKept = 5
    /// Largest info log file before RocksDB starts a new one.
    static let infoLogFileBytesMax = 1 << 20
    /// RocksDB settings the C API has no setter for, applied as an options string. `allow_fallocate=false`: RocksDB
    /// would otherwise reserve 1.1 write buffers for every WAL and 4 MiB for every MANIFEST, 74 MiB on disk for
    /// an empty table, which a node with many tables cannot afford and which would hide the real data size.
    static let optionsString = "allow_fallocate=false"

    let open: OpaquePointer
    let read: OpaquePointer
    let write: OpaquePointer
    private let cache: OpaquePointer?

    init(_ options: RocksDBOptions, durability: Durability, path: String) throws(StorageError) {
        open = try Self.makeOpenOptions(path: path)
        rocksdb_options_set_create_if_missing(open, 1)
        rocksdb_options_set_paranoid_checks(open, 1)
        rocksdb_options_set_write_buffer_size(open, options.writeBufferBytes)
        rocksdb_options_set_max_open_files(open, Int32(options.openFilesMax))
        rocksdb_options_set_max_background_jobs(open, Int32(options.backgroundJobsMax))
        rocksdb_options_set_compression(open, options.compression.nativeValue)
        rocksdb_options_set_keep_log_file_num(open, Self.infoLogFilesKept)
        rocksdb_options_set_max_log_file_size(open, Self.infoLogFileBytesMax)
        cache = options.blockCacheBytes > 0 ? rocksdb_cache_create_lru(options.blockCacheBytes) : nil
        Self.setTableOptions(open, cache: cache, bloomFilterBitsPerKey: options.bloomFilterBitsPerKey)

        read = rocksdb_readoptions_create()
        rocksdb_readoptions_set_verify_checksums(read, options.verifyChecksums ? 1 : 0)
        write = rocksdb_writeoptions_create()
        rocksdb_writeoptions_set_sync(write, durability == .sync ? 1 : 0)
    }

    deinit {
        rocksdb_options_destroy(open)
        if let cache { rocksdb_cache_destroy(cache) }
        rocksdb_readoptions_destroy(read)
        rocksdb_writeoptions_destroy(write)
    }

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
    private static func setTableOptions(_ open: OpaquePointer, cache: OpaquePointer?, bloomFilterBitsPerKey: Int) {
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
        rocksdb_options_set_block_based_table_factory(open, tableOptions)
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
