import CairnEngines
import CairnStorage
import CRawEngines
import Foundation
import LevelDBEngine
import RocksDBEngine

/// What a workload drives: a Cairn engine through `StorageEngine`, or a raw C baseline.
///
/// Both kinds receive the same reusable key and value buffers from the same harness, so the difference
/// between `lmdb` and `raw-lmdb` is the cost of Cairn's Swift wrapper and nothing else.
protocol BenchTarget: AnyObject {
    func put(_ key: Bytes, _ value: Bytes) throws
    /// Applies `batch` atomically, in one commit (see `BenchEngine.takesBatches`).
    func apply(_ batch: WriteBatch) throws
    /// Looks `key` up; true when it was found.
    func read(_ key: Bytes) throws -> Bool
    func delete(_ key: Bytes) throws
    /// Visits up to `limit` entries from the first key ≥ `start` (nil: the first key), calling `onEntry` for
    /// each until it returns false; returns how many entries were visited.
    func scan(from start: Bytes?, limit: Int, _ onEntry: () -> Bool) throws -> Int
    func close() throws
}

/// A Cairn storage engine under benchmark.
final class EngineTarget: BenchTarget {
    let engine: any StorageEngine

    init(_ engine: any StorageEngine) {
        self.engine = engine
    }

    func put(_ key: Bytes, _ value: Bytes) throws { try engine.put(key, value) }

    func apply(_ batch: WriteBatch) throws { try engine.apply(batch) }

    func read(_ key: Bytes) throws -> Bool {
        try engine.withValue(forKey: key) { $0 != nil }
    }

    func delete(_ key: Bytes) throws { try engine.delete(key) }

    func scan(from start: Bytes?, limit: Int, _ onEntry: () -> Bool) throws -> Int {
        var visited = 0
        try engine.scan(KeyRange(from: start)) { _, _ in
            visited += 1
            return onEntry() && visited < limit ? .next : .stop
        }
        return visited
    }

    func close() throws { try engine.close() }
}

/// Raised when a raw C baseline call fails.
struct RawEngineError: Error, CustomStringConvertible {
    let description: String
}

/// Counts entries for a raw C scan, behind the `void *context` of its callback.
private final class ScanCounter {
    var visited = 0
    let onEntry: () -> Bool
    init(_ onEntry: @escaping () -> Bool) { self.onEntry = onEntry }
}

private let countEntry: raw_scan_visit = { context, _, _, _, _ in
    let counter = Unmanaged<ScanCounter>.fromOpaque(context!).takeUnretainedValue()
    counter.visited += 1
    return counter.onEntry() ? 0 : 1
}

/// Runs a raw scan with a counting callback.
private func rawScan(
    _ start: Bytes?, _ onEntry: () -> Bool, _ call: (UnsafeRawPointer?, Int, UnsafeMutableRawPointer) -> Int32
) throws -> Int {
    try withoutActuallyEscaping(onEntry) { onEntry in
        let counter = ScanCounter(onEntry)
        let context = Unmanaged.passUnretained(counter).toOpaque()
        let status = withExtendedLifetime(counter) {
            if let start { return start.withUnsafeBytes { call($0.baseAddress, $0.count, context) } }
            return call(nil, 0, context)
        }
        guard status == 0 else { throw RawEngineError(description: "raw scan failed") }
        return counter.visited
    }
}

/// liblmdb, libleveldb or librocksdb called directly from C, through the raw baseline's parallel functions.
final class RawCTarget: BenchTarget {
    /// One raw library's entry points; the handle types differ in C but are all opaque here.
    struct Functions: Sendable {
        let name: String
        let put: @Sendable (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> Int32
        let get: @Sendable (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutablePointer<Int>?) -> Int32
        let delete: @Sendable (OpaquePointer?, UnsafeRawPointer?, Int) -> Int32
        let scan: @Sendable (OpaquePointer?, UnsafeRawPointer?, Int, Int, raw_scan_visit?, UnsafeMutableRawPointer?) -> Int32
        let close: @Sendable (OpaquePointer?) -> Void

        static let lmdb = Functions(
            name: "raw_lmdb", put: raw_lmdb_put, get: raw_lmdb_get, delete: raw_lmdb_delete, scan: raw_lmdb_scan,
            close: raw_lmdb_close)
        static let leveldb = Functions(
            name: "raw_leveldb", put: raw_leveldb_put, get: raw_leveldb_get, delete: raw_leveldb_delete,
            scan: raw_leveldb_scan, close: raw_leveldb_close)
        static let rocksdb = Functions(
            name: "raw_rocksdb", put: raw_rocksdb_put, get: raw_rocksdb_get, delete: raw_rocksdb_delete,
            scan: raw_rocksdb_scan, close: raw_rocksdb_close)
    }

    /// The raw LMDB baseline cannot grow its map, so it starts large: 16 GiB of address space.
    static let lmdbMapSizeBytes = 16 << 30

    private let functions: Functions
    private var handle: OpaquePointer?

    /// liblmdb over `directory`.
    static func lmdb(directory: String, durability: Durability) throws -> RawCTarget {
        try DirectoryCheck.prepare(directory)
        var error: UnsafeMutablePointer<CChar>?
        let handle = raw_lmdb_open(directory, durability == .sync ? 1 : 0, lmdbMapSizeBytes, &error)
        return try RawCTarget(.lmdb, handle: handle, error: error)
    }

    /// libleveldb over `directory`, with Cairn's default LevelDB options.
    static func leveldb(directory: String, durability: Durability) throws -> RawCTarget {
        try DirectoryCheck.prepare(directory)
        var error: UnsafeMutablePointer<CChar>?
        let defaults = LevelDBOptions()
        let handle = raw_leveldb_open(
            directory, durability == .sync ? 1 : 0, defaults.blockCacheBytes, Int32(defaults.bloomFilterBitsPerKey),
            &error)
        return try RawCTarget(.leveldb, handle: handle, error: error)
    }

    /// librocksdb over `directory`, with Cairn's default RocksDB options.
    static func rocksdb(directory: String, durability: Durability) throws -> RawCTarget {
        try DirectoryCheck.prepare(directory)
        var error: UnsafeMutablePointer<CChar>?
        let defaults = RocksDBOptions()
        var options = raw_rocksdb_options(
            sync: durability == .sync ? 1 : 0, block_cache_bytes: defaults.blockCacheBytes,
            bloom_bits_per_key: Int32(defaults.bloomFilterBitsPerKey), write_buffer_bytes: defaults.writeBufferBytes,
            open_files_max: Int32(defaults.openFilesMax), background_jobs_max: Int32(defaults.backgroundJobsMax),
            compression: defaults.compression.nativeValue, verify_checksums: defaults.verifyChecksums ? 1 : 0)
        let handle = raw_rocksdb_open(directory, &options, &error)
        return try RawCTarget(.rocksdb, handle: handle, error: error)
    }

    private init(_ functions: Functions, handle: OpaquePointer?, error: UnsafeMutablePointer<CChar>?) throws {
        guard let handle else { throw RawEngineError(description: takeMessage(error, or: "\(functions.name)_open failed")) }
        self.functions = functions
        self.handle = handle
    }

    func put(_ key: Bytes, _ value: Bytes) throws {
        let status = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in functions.put(handle, k.baseAddress, k.count, v.baseAddress, v.count) }
        }
        if status != 0 { throw RawEngineError(description: "\(functions.name)_put failed") }
    }

    func apply(_ batch: WriteBatch) throws {
        throw RawEngineError(description: "\(functions.name) has no batch call; run raw baselines with --fill-batch 1")
    }

    func read(_ key: Bytes) throws -> Bool {
        var length = 0
        let status = key.withUnsafeBytes { functions.get(handle, $0.baseAddress, $0.count, &length) }
        if status < 0 { throw RawEngineError(description: "\(functions.name)_get failed") }
        return status == 0
    }

    func delete(_ key: Bytes) throws {
        let status = key.withUnsafeBytes { functions.delete(handle, $0.baseAddress, $0.count) }
        if status != 0 { throw RawEngineError(description: "\(functions.name)_delete failed") }
    }

    func scan(from start: Bytes?, limit: Int, _ onEntry: () -> Bool) throws -> Int {
        try rawScan(start, onEntry) { functions.scan(handle, $0, $1, limit, countEntry, $2) }
    }

    func close() throws {
        functions.close(handle)
        handle = nil
    }
}

/// The C message in `error` (freed here), or `fallback`.
private func takeMessage(_ error: UnsafeMutablePointer<CChar>?, or fallback: String) -> String {
    guard let error else { return fallback }
    defer { free(error) }
    return String(cString: error)
}
