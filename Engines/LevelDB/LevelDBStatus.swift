import CLevelDB
import CairnStorage

/// Turns LevelDB's error strings (malloc'd, freed here with `leveldb_free`) into typed errors.
enum LevelDBStatus {
    /// A slot for LevelDB's `char** errptr`.
    typealias ErrorSlot = UnsafeMutablePointer<CChar>?

    static func check(_ error: ErrorSlot, _ operation: String, path: String) throws(StorageError) {
        guard let error else { return }
        let message = String(cString: error)
        leveldb_free(error)
        if message.hasPrefix("Corruption") {
            throw .corrupted(engine: .leveldb, path: path, detail: "\(operation): \(message)")
        }
        throw .leveldb(operation: operation, message: message)
    }
}
