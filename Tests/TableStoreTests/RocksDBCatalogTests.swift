import CairnEngines
import CairnStorage
import CairnTestSupport
import Foundation
import RocksDBEngine
import Testing

/// The catalog's RocksDB options: read from catalogs that predate them, checked when a table opens.
@Suite("Table store: RocksDB options")
struct RocksDBCatalogTests {
    @Test("a catalog written before RocksDB existed still opens, with RocksDB's defaults")
    func catalogWithoutRocksDBOptions() throws {
        let directory = TemporaryDirectory()
        try TableCatalog(tables: ["carts": TableConfiguration(engine: .lmdb)]).save(to: directory.path)
        // Strip the `rocksdb` options, as the code before the RocksDB engine wrote the catalog.
        let path = directory.child(TableCatalog.fileName)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var tables = try #require(json["tables"] as? [String: [String: Any]])
        #expect(tables["carts"]?.removeValue(forKey: "rocksdb") != nil)
        json["tables"] = tables
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let catalog = try TableCatalog.load(from: directory.path)
        let carts = try #require(catalog.tables["carts"])
        #expect(carts.engine == .lmdb)
        #expect(carts.rocksdb == RocksDBOptions())
        let store = try TableStore(dataDirectory: directory.path)
        defer { try? store.close() }
        try store.table("carts").put(Bytes("k".utf8), Bytes("v".utf8))
        #expect(try store.table("carts").get(Bytes("k".utf8)) == Bytes("v".utf8))
    }

    @Test("hand-edited RocksDB options out of range are refused by name when the table opens")
    func badOptionsInCatalog() throws {
        let directory = TemporaryDirectory()
        let store = try TableStore(dataDirectory: directory.path)
        try store.createTable("logs", TableConfiguration(engine: .rocksdb))
        try store.close()
        var catalog = try TableCatalog.load(from: directory.path)
        catalog.tables["logs"]?.rocksdb.bloomFilterBitsPerKey = -3
        try catalog.save(to: directory.path)
        #expect {
            try TableStore(dataDirectory: directory.path)
        } throws: { error in
            guard case .invalidOptions(.rocksdb, let problem) = error as? StorageError else { return false }
            return problem.contains("bloomFilterBitsPerKey")
        }
    }
}
