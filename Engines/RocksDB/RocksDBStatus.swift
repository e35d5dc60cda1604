import CRocksDB
import CairnStorage

/// Turns RocksDB's error strings (malloc'd, freed here with `rocksdb_free`) into typed errors.
enum RocksDBStatus {
    /// A slot for RocksDB's `char** errptr`.
    typealias ErrorSlot = UnsafeMutablePointer<CChar>?

    static func check(_ error: ErrorSlot, _ operation: String, path: String) throws(StorageError) {
        guard let error else { return }
        let message = String(cString: error)
        rocksdb_free(error)
        // RocksDB's Status::ToString starts with the code: "Corruption: …".
        if message.hasPrefix("Corruption") {
            throw .corrupted(engine: .rocksdb, path: path, detail: "\(operation): \(message)")
        }
        throw .rocksdb(operation: operation, message: message)
    }
}
