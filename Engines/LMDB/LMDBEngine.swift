import CLMDB
import CairnStorage

/// The LMDB engine: one LMDB environment (`data.mdb`, `lock.mdb`) per table directory, one unnamed database.
///
/// LMDB allows one write transaction at a time and readers never block. Environments open with MDB_NOTLS, so
/// a read transaction is not tied to its thread. `gate` is held shared by every transaction and exclusive by
/// map growth and close, because `mdb_env_set_mapsize` needs no transaction to be running in the process.
/// Buffered durability opens with MDB_NOSYNC: commits reach the page cache, `sync()` forces them to disk.
///
/// LMDB checksums nothing: a damaged header is reported as `StorageError.corrupted`, damaged data pages are not
/// detected.
public final class LMDBEngine: StorageEngine, @unchecked Sendable {
    public let kind = EngineKind.lmdb
    public let path: String
    public let durability: Durability
    public let options: LMDBOptions

    private let gate = ReadWriteLock()
    // Written only under the exclusive gate.
    private var environment: OpaquePointer?
    private var database: MDB_dbi = 0
    private var mapSizeBytes: Int

    /// Opens (creating when missing) the environment in `directory`.
    public init(directory: String, durability: Durability = .sync, options: LMDBOptions = LMDBOptions()) throws {
        try DirectoryCheck.prepare(directory)
        try EngineKind.lmdb.checkOwns(directory: directory)
        self.path = directory
        self.durability = durability
        self.options = options
        self.mapSizeBytes = options.mapSizeBytesInitial

        var created: OpaquePointer?
        try LMDBStatus.check(mdb_env_create(&created), "mdb_env_create", path: directory)
        guard let environment = created else { preconditionFailure("mdb_env_create succeeded without an environment") }
        do {
            try LMDBStatus.check(mdb_env_set_mapsize(environment, mapSizeBytes), "mdb_env_set_mapsize", path: directory)
            try LMDBStatus.check(
                mdb_env_set_maxreaders(environment, UInt32(options.readersMax)), "mdb_env_set_maxreaders",
                path: directory)
            var flags = UInt32(MDB_NOTLS)
            if durability == .buffered { flags |= UInt32(MDB_NOSYNC) }
            try LMDBStatus.check(mdb_env_open(environment, directory, flags, 0o644), "mdb_env_open", path: directory)
            // An existing file may be larger than the configured start size; LMDB then keeps the larger map.
            var info = MDB_envinfo()
            try LMDBStatus.check(mdb_env_info(environment, &info), "mdb_env_info", path: directory)
            mapSizeBytes = info.me_mapsize
            database = try Self.openDatabase(environment, path: directory)
        } catch {
            mdb_env_close(environment)
            throw error
        }
        self.environment = environment
    }

    deinit {
        if let environment { mdb_env_close(environment) }
    }

    public func withValue<Result>(
        forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws -> Result {
        try StorageLimits.check(key: key)
        return try read { transaction in
            try key.withUnsafeBytes { rawKey in
                var keyValue = Self.value(rawKey)
                var found = MDB_val()
                let code = mdb_get(transaction, database, &keyValue, &found)
                if code == MDB_NOTFOUND { return try body(nil) }
                try LMDBStatus.check(code, "mdb_get", path: path)
                return try body(UnsafeRawBufferPointer(start: found.mv_data, count: found.mv_size))
            }
        }
    }

    public func put(_ key: Bytes, _ value: Bytes) throws {
        try StorageLimits.check(key: key)
        try StorageLimits.check(value: value)
        try write { transaction in try self.put(key, value, in: transaction) }
    }

    public func delete(_ key: Bytes) throws {
        try StorageLimits.check(key: key)
        try write { transaction in try self.delete(key, in: transaction) }
    }

    public func apply(_ batch: WriteBatch) throws {
        try StorageLimits.check(batch: batch)
        guard !batch.isEmpty else { return }
        try write { transaction in
            for operation in batch.operations {
                switch operation {
                case .put(let key, let value): try self.put(key, value, in: transaction)
                case .delete(let key): try self.delete(key, in: transaction)
                }
            }
        }
    }

    public func scan(
        _ range: KeyRange,
        _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision
    ) throws {
        guard !range.isEmpty else { return }
        try read { transaction in
            var opened: OpaquePointer?
            try LMDBStatus.check(mdb_cursor_open(transaction, database, &opened), "mdb_cursor_open", path: path)
            defer { mdb_cursor_close(opened) }
            var key = MDB_val()
            var value = MDB_val()
            var code: Int32
            if let lowerBound = range.lowerBound {
                code = lowerBound.withUnsafeBytes { rawLower in
                    key = Self.value(rawLower)
                    return mdb_cursor_get(opened, &key, &value, MDB_SET_RANGE)
                }
            } else {
                code = mdb_cursor_get(opened, &key, &value, MDB_FIRST)
            }
            while code == MDB_SUCCESS {
                let rawKey = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
                if range.isPastEnd(rawKey) { return }
                let rawValue = UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
                if try visit(rawKey, rawValue) == .stop { return }
                code = mdb_cursor_get(opened, &key, &value, MDB_NEXT)
            }
            if code != MDB_NOTFOUND { try LMDBStatus.check(code, "mdb_cursor_get", path: path) }
        }
    }

    public func statistics() throws -> EngineStatistics {
        try read { transaction in
            var stat = MDB_stat()
            try LMDBStatus.check(mdb_stat(transaction, database, &stat), "mdb_stat", path: path)
            let pages = stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages
            return EngineStatistics(entryCount: stat.ms_entries, approximateBytes: pages * Int(stat.ms_psize))
        }
    }

    public func sync() throws {
        try gate.withReadLock {
            let environment = try openEnvironment()
            try LMDBStatus.check(mdb_env_sync(environment, 1), "mdb_env_sync", path: path)
        }
    }

    public func close() throws {
        gate.withWriteLock {
            if let environment { mdb_env_close(environment) }
            environment = nil
        }
    }

    // MARK: Transactions

    /// Runs `body` in a read-only transaction that ends when `body` returns.
    private func read<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        try gate.withReadLock {
            let environment = try openEnvironment()
            var begun: OpaquePointer?
            try LMDBStatus.check(
                mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &begun), "mdb_txn_begin", path: path)
            guard let transaction = begun else { preconditionFailure("mdb_txn_begin succeeded without a transaction") }
            defer { mdb_txn_abort(transaction) }
            return try body(transaction)
        }
    }

    /// Runs `body` in a write transaction and commits it, growing the map and retrying when it is full.
    private func write(_ body: (OpaquePointer) throws -> Void) throws {
        while true {
            let fullAtMapSize: Int? = try gate.withReadLock {
                let environment = try openEnvironment()
                var begun: OpaquePointer?
                try LMDBStatus.check(mdb_txn_begin(environment, nil, 0, &begun), "mdb_txn_begin", path: path)
                guard let transaction = begun else { preconditionFailure("mdb_txn_begin gave no transaction") }
                do {
                    try body(transaction)
                } catch is LMDBStatus.MapFull {
                    mdb_txn_abort(transaction)
                    return mapSizeBytes
                } catch {
                    mdb_txn_abort(transaction)
                    throw error
                }
                // mdb_txn_commit frees the transaction whether or not it succeeds.
                let code = mdb_txn_commit(transaction)
                if code == MDB_MAP_FULL { return mapSizeBytes }
                try LMDBStatus.check(code, "mdb_txn_commit", path: path)
                return nil
            }
            guard let fullAtMapSize else { return }
            try growMap(from: fullAtMapSize)
        }
    }

    private func put(_ key: Bytes, _ value: Bytes, in transaction: OpaquePointer) throws {
        let code = key.withUnsafeBytes { rawKey in
            value.withUnsafeBytes { rawValue in
                var keyValue = Self.value(rawKey)
                var dataValue = Self.value(rawValue)
                return mdb_put(transaction, database, &keyValue, &dataValue, 0)
            }
        }
        if code == MDB_MAP_FULL { throw LMDBStatus.MapFull() }
        try LMDBStatus.check(code, "mdb_put", path: path)
    }

    private func delete(_ key: Bytes, in transaction: OpaquePointer) throws {
        let code = key.withUnsafeBytes { rawKey in
            var keyValue = Self.value(rawKey)
            return mdb_del(transaction, database, &keyValue, nil)
        }
        if code == MDB_NOTFOUND { return }
        if code == MDB_MAP_FULL { throw LMDBStatus.MapFull() }
        try LMDBStatus.check(code, "mdb_del", path: path)
    }

    /// Doubles the map (up to `mapSizeBytesMax`) unless another writer already grew it past `observed`.
    private func growMap(from observed: Int) throws {
        try gate.withWriteLock {
            let environment = try openEnvironment()
            guard mapSizeBytes <= observed else { return }
            guard mapSizeBytes < options.mapSizeBytesMax else {
                throw StorageError.engineFull(engine: .lmdb, limitName: "mapSizeBytesMax", limit: options.mapSizeBytesMax)
            }
            let grown = Swift.min(mapSizeBytes * 2, options.mapSizeBytesMax)
            try LMDBStatus.check(mdb_env_set_mapsize(environment, grown), "mdb_env_set_mapsize", path: path)
            mapSizeBytes = grown
        }
    }

    private func openEnvironment() throws(StorageError) -> OpaquePointer {
        guard let environment else { throw .closed(engine: .lmdb) }
        return environment
    }

    private static func openDatabase(_ environment: OpaquePointer, path: String) throws -> MDB_dbi {
        var begun: OpaquePointer?
        try LMDBStatus.check(mdb_txn_begin(environment, nil, 0, &begun), "mdb_txn_begin", path: path)
        var database: MDB_dbi = 0
        let code = mdb_dbi_open(begun, nil, 0, &database)
        guard code == MDB_SUCCESS else {
            mdb_txn_abort(begun)
            throw LMDBStatus.error(code, "mdb_dbi_open", path: path)
        }
        try LMDBStatus.check(mdb_txn_commit(begun), "mdb_txn_commit", path: path)
        return database
    }

    /// An MDB_val over `buffer`; LMDB only reads key and data bytes passed in.
    private static func value(_ buffer: UnsafeRawBufferPointer) -> MDB_val {
        MDB_val(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
    }

    /// Bytes in the memory map now (it grows on demand).
    public var currentMapSizeBytes: Int { gate.withReadLock { mapSizeBytes } }
}
