import CLMDB
import CairnStorage

/// Turns liblmdb return codes into typed errors that keep the code and the library's own message.
enum LMDBStatus {
    /// Signals that a write transaction ran out of map; the engine grows the map and retries.
    struct MapFull: Error {}

    static func check(_ code: Int32, _ operation: String, path: String) throws(StorageError) {
        guard code != MDB_SUCCESS else { return }
        throw error(code, operation, path: path)
    }

    static func error(_ code: Int32, _ operation: String, path: String) -> StorageError {
        let message = String(cString: mdb_strerror(code))
        switch code {
        case MDB_INVALID, MDB_CORRUPTED, MDB_VERSION_MISMATCH, MDB_PAGE_NOTFOUND:
            return .corrupted(engine: .lmdb, path: path, detail: "\(operation): \(message) (\(code))")
        default:
            return .lmdb(operation: operation, code: code, message: message)
        }
    }
}
