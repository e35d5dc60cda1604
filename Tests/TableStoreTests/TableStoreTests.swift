import CairnEngines
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// A node's named tables, each with its own engine, reopened from the catalog.
@Suite("Table store")
struct TableStoreTests {
    @Test("tables of every engine live side by side and reopen with their own engine")
    func reopenFromCatalog() throws {
        let directory = TemporaryDirectory()
        let store = try TableStore(dataDirectory: directory.path)
        try store.createTable("cache", TableConfiguration(engine: .memory))
        try store.createTable("carts", TableConfiguration(engine: .lmdb, durability: .sync))
        try store.createTable(
            "events", TableConfiguration(engine: .leveldb, durability: .buffered, leveldb: .init(blockCacheBytes: 1 << 20)))
        try store.createTable(
            "logs", TableConfiguration(engine: .rocksdb, durability: .buffered, rocksdb: .init(compression: .zstd)))
        for name in store.tableNames { try store.table(name).put(Bytes("k".utf8), Bytes(name.utf8)) }
        #expect(FileManager.default.fileExists(atPath: directory.child("carts/data.mdb")))
        #expect(FileManager.default.fileExists(atPath: directory.child("events/CURRENT")))
        #expect(FileManager.default.fileExists(atPath: directory.child("logs/IDENTITY")))
        try store.close()

        let reopened = try TableStore(dataDirectory: directory.path)
        defer { try? reopened.close() }
        #expect(reopened.tableNames == ["cache", "carts", "events", "logs"])
        #expect(try reopened.table("cache").kind == .memory)
        #expect(try reopened.table("carts").kind == .lmdb)
        #expect(try reopened.table("events").kind == .leveldb)
        #expect(try reopened.table("logs").kind == .rocksdb)
        #expect(try reopened.configuration(of: "logs").rocksdb.compression == .zstd)
        #expect(try reopened.configuration(of: "events").leveldb.blockCacheBytes == 1 << 20)
        #expect(try reopened.configuration(of: "events").durability == .buffered)
        #expect(try reopened.table("cache").get(Bytes("k".utf8)) == nil)
        #expect(try reopened.table("carts").get(Bytes("k".utf8)) == Bytes("carts".utf8))
        #expect(try reopened.table("events").get(Bytes("k".utf8)) == Bytes("events".utf8))
        #expect(try reopened.table("logs").get(Bytes("k".utf8)) == Bytes("logs".utf8))
    }

    @Test("unknown engine names are refused with the list of known ones")
    func unknownEngine() {
        #expect(throws: StorageError.unknownEngine(name: "sqlite", known: ["memory", "lmdb", "leveldb", "rocksdb"])) {
            try EngineKind(parsing: "sqlite")
        }
        #expect((try? EngineKind(parsing: "LMDB")) == .lmdb)
    }

    @Test("bad table names are refused", arguments: ["", "../escape", "a/b", ".hidden", "-dash", "with space", String(repeating: "x", count: 65)])
    func badTableNames(name: String) throws {
        let directory = TemporaryDirectory()
        let store = try TableStore(dataDirectory: directory.path)
        defer { try? store.close() }
        #expect {
            try store.createTable(name, TableConfiguration(engine: .memory))
        } throws: { error in
            guard case .invalidTableName(let refused, _) = error as? StorageError else { return false }
            return refused == name
        }
        #expect(store.tableNames.isEmpty)
    }

    @Test("a table whose files belong to another engine is refused on reopen")
    func catalogEngineMismatch() throws {
        let directory = TemporaryDirectory()
        let store = try TableStore(dataDirectory: directory.path)
        try store.createTable("t", TableConfiguration(engine: .lmdb))
        try store.close()
        // Someone edits the catalog to claim the table is LevelDB.
        var catalog = try TableCatalog.load(from: directory.path)
        catalog.tables["t"]?.engine = .leveldb
        try catalog.save(to: directory.path)
        #expect(throws: StorageError.engineMismatch(path: directory.child("t"), configured: .leveldb, found: .lmdb)) {
            try TableStore(dataDirectory: directory.path)
        }
    }

    @Test("duplicate, unknown and dropped tables")
    func tableLifecycle() throws {
        let directory = TemporaryDirectory()
        let store = try TableStore(dataDirectory: directory.path)
        defer { try? store.close() }
        try store.createTable("t", TableConfiguration(engine: .leveldb))
        #expect(throws: StorageError.tableExists(name: "t")) { try store.createTable("t", TableConfiguration(engine: .lmdb)) }
        #expect(throws: StorageError.unknownTable(name: "nope")) { try store.table("nope") }
        try store.dropTable("t")
        #expect(store.tableNames.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.child("t")))
        try store.createTable("t", TableConfiguration(engine: .lmdb))
        #expect(try store.table("t").kind == .lmdb)
    }

    @Test("a corrupted catalog and a data dir that is a file are refused")
    func badDataDirectories() throws {
        let directory = TemporaryDirectory()
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: directory.child("catalog.json")))
        #expect {
            try TableStore(dataDirectory: directory.path)
        } throws: { error in
            guard case .catalogCorrupted(let path, _) = error as? StorageError else { return false }
            return path == directory.child("catalog.json")
        }
        let file = directory.child("file")
        try Data().write(to: URL(fileURLWithPath: file))
        #expect(throws: StorageError.dataDirectoryNotADirectory(path: file)) { try TableStore(dataDirectory: file) }
        #expect(throws: StorageError.dataDirectoryUnusable(path: file + "/below", reason: "a parent is not a directory")) {
            try TableStore(dataDirectory: file + "/below")
        }
        // An empty path is an error, not a precondition failure (which killed `cairn demo --data-dir ''`).
        #expect(throws: StorageError.dataDirectoryPathEmpty) { try TableStore(dataDirectory: "") }
        #expect(throws: StorageError.dataDirectoryPathEmpty) { try DirectoryCheck.prepare("") }
    }

    @Test("a fresh directory is created only where nothing exists, so its creator may delete it")
    func freshDirectory() throws {
        let directory = TemporaryDirectory()
        let fresh = directory.child("fresh")
        try DirectoryCheck.createFresh(fresh)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fresh).isEmpty)
        #expect {
            try DirectoryCheck.createFresh(fresh)
        } throws: { error in
            guard case .dataDirectoryUnusable(let path, let reason) = error as? StorageError else { return false }
            return path == fresh && reason.contains("already exists")
        }
        #expect(throws: StorageError.dataDirectoryPathEmpty) { try DirectoryCheck.createFresh("") }
        #expect(throws: (any Error).self) { try DirectoryCheck.createFresh(directory.child("missing/child")) }
        #expect(!FileManager.default.fileExists(atPath: directory.child("missing")), "parents are never created")
    }
}
