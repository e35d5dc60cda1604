import CairnStorage
import CairnTestSupport
import Foundation
import RocksDBEngine
import Testing

/// The RocksDB engine's own options: every compression and the cache and filter switched off still store and
/// reopen the data; options out of range are refused by name.
@Suite("RocksDB options")
struct RocksDBOptionsTests {
    @Test("each compression, with and without cache and bloom filter, keeps data across reopen", arguments: RocksDBCompression.allCases)
    func compressions(compression: RocksDBCompression) throws {
        let directory = TemporaryDirectory()
        let bare = RocksDBOptions(blockCacheBytes: 0, bloomFilterBitsPerKey: 0, writeBufferBytes: 64 << 10, compression: compression)
        let value = Bytes((0..<300).map { UInt8(truncatingIfNeeded: $0 % 7) })
        let engine = try RocksDBEngine(directory: directory.path, durability: .buffered, options: bare)
        // 64 KiB write buffers: 2,000 × 300 bytes are flushed (and compacted) into table files.
        for index in 0..<2_000 { try engine.put(bytes("key-\(index)"), value) }
        try engine.close()
        let tableFiles = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sst") }
        // Flushes and compactions ran through the compression: the data lives in table files, not only in the WAL.
        #expect(!tableFiles.isEmpty, "the small write buffer flushed table files")

        let reopened = try RocksDBEngine(directory: directory.path, options: RocksDBOptions(compression: compression))
        defer { try? reopened.close() }
        #expect(try reopened.statistics().entryCount == 2_000)
        #expect(try reopened.get(bytes("key-1999")) == value)
        #expect(try reopened.get(bytes("key-2000")) == nil)
    }

    @Test("options out of range are refused by name, before any file is made")
    func badOptions() throws {
        let directory = TemporaryDirectory()
        let cases: [(RocksDBOptions, String)] = [
            (RocksDBOptions(blockCacheBytes: -1), "blockCacheBytes"),
            (RocksDBOptions(bloomFilterBitsPerKey: RocksDBOptions.bloomFilterBitsPerKeyMax + 1), "bloomFilterBitsPerKey"),
            (RocksDBOptions(writeBufferBytes: 0), "writeBufferBytes"),
            (RocksDBOptions(openFilesMax: 0), "openFilesMax"),
            (RocksDBOptions(backgroundJobsMax: 0), "backgroundJobsMax"),
        ]
        for (options, name) in cases {
            #expect(options.problem?.contains(name) == true, "\(name)")
            #expect(throws: StorageError.invalidOptions(engine: .rocksdb, problem: options.problem ?? "")) {
                try RocksDBEngine(directory: directory.child("table"), options: options)
            }
        }
        #expect(RocksDBOptions().problem == nil)
        #expect(!DirectoryCheck.fileExists(directory.child("table/CURRENT")))
    }

    @Test("a small table takes little disk: no WAL or MANIFEST preallocation")
    func noPreallocation() throws {
        let directory = TemporaryDirectory()
        let engine = try RocksDBEngine(directory: directory.path)
        defer { try? engine.close() }
        for index in 0..<100 { try engine.put(bytes("k\(index)"), Bytes(repeating: 1, count: 100)) }
        // With fallocate RocksDB reserves 1.1 × the 64 MiB write buffer for the WAL alone.
        #expect(try engine.statistics().approximateBytes < 1 << 20)
    }

    @Test("a damaged table file makes reads throw corrupted, never return nothing")
    func damagedTableFile() throws {
        let directory = TemporaryDirectory()
        let small = RocksDBOptions(writeBufferBytes: 64 << 10, compression: .none)
        let engine = try RocksDBEngine(directory: directory.path, durability: .buffered, options: small)
        let value = Bytes(repeating: 0x42, count: 200)
        for index in 0..<1_000 { try engine.put(bytes("key-\(index)"), value) }
        try engine.close()
        let tableFile = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sst") }.sorted().first)
        // Data blocks come first in a table file: damage some of them, not the footer.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.child(tableFile)))
        try handle.seek(toOffset: 64)
        try handle.write(contentsOf: Data(repeating: 0xEE, count: 4096))
        try handle.close()

        var corruptions = 0
        do {
            let reopened = try RocksDBEngine(directory: directory.path, options: small)
            defer { try? reopened.close() }
            for index in 0..<1_000 {
                do {
                    #expect(try reopened.get(bytes("key-\(index)")) == value, "key-\(index)")
                } catch StorageError.corrupted(.rocksdb, let path, _) {
                    #expect(path == directory.path)
                    corruptions += 1
                }
            }
        } catch StorageError.corrupted(.rocksdb, let path, _) {
            #expect(path == directory.path)
            corruptions += 1
        }
        #expect(corruptions > 0, "the damage was reported")
    }

    @Test("sync() flushes the WAL of a buffered table; after close it throws closed")
    func syncOnDemand() throws {
        let directory = TemporaryDirectory()
        let engine = try RocksDBEngine(directory: directory.path, durability: .buffered)
        for index in 0..<100 { try engine.put(bytes("k\(index)"), bytes("v\(index)")) }
        try engine.sync()
        try engine.close()
        #expect(throws: StorageError.closed(engine: .rocksdb)) { try engine.sync() }
        let reopened = try RocksDBEngine(directory: directory.path)
        defer { try? reopened.close() }
        #expect(try reopened.get(bytes("k99")) == bytes("v99"))
    }
}
