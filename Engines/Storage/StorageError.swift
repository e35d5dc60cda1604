/// Every way the persistence layer refuses a request, each naming the problem or the limit it hit.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    // Bad input.
    case keyEmpty
    case keyTooLarge(bytes: Int, limit: Int)
    case valueTooLarge(bytes: Int, limit: Int)
    case batchTooLarge(operations: Int, limit: Int)
    case batchPayloadTooLarge(bytes: Int, limit: Int)
    case engineFull(engine: EngineKind, limitName: String, limit: Int)
    case invalidOptions(engine: EngineKind, problem: String)

    // Data directories and tables.
    case dataDirectoryPathEmpty
    case dataDirectoryNotADirectory(path: String)
    case dataDirectoryUnusable(path: String, reason: String)
    case unknownEngine(name: String, known: [String])
    case invalidTableName(name: String, reason: String)
    case unknownTable(name: String)
    case tableExists(name: String)
    case engineMismatch(path: String, configured: EngineKind, found: EngineKind)
    case catalogCorrupted(path: String, detail: String)

    // Engine failures.
    case corrupted(engine: EngineKind, path: String, detail: String)
    case lmdb(operation: String, code: Int32, message: String)
    case leveldb(operation: String, message: String)
    case rocksdb(operation: String, message: String)
    case io(operation: String, path: String, reason: String)
    case closed(engine: EngineKind)

    public var description: String {
        switch self {
        case .keyEmpty:
            "key is empty: keys must have at least \(StorageLimits.keyBytesMin) byte"
        case .keyTooLarge(let bytes, let limit):
            "key of \(bytes) bytes exceeds keyBytesMax (\(limit) bytes)"
        case .valueTooLarge(let bytes, let limit):
            "value of \(bytes) bytes exceeds valueBytesMax (\(limit) bytes)"
        case .batchTooLarge(let operations, let limit):
            "batch of \(operations) operations exceeds batchOperationsMax (\(limit))"
        case .batchPayloadTooLarge(let bytes, let limit):
            "batch of \(bytes) bytes exceeds batchPayloadBytesMax (\(limit) bytes)"
        case .engineFull(let engine, let limitName, let limit):
            "\(engine) engine is full: the write would pass its \(limitName) (\(limit) bytes)"
        case .dataDirectoryPathEmpty:
            "data directory path is empty: give a directory"
        case .invalidOptions(let engine, let problem):
            "invalid \(engine) options: \(problem)"
        case .dataDirectoryNotADirectory(let path):
            "data directory \(path) exists but is not a directory"
        case .dataDirectoryUnusable(let path, let reason):
            "data directory \(path) cannot be used: \(reason)"
        case .unknownEngine(let name, let known):
            "unknown engine '\(name)': known engines are \(known.joined(separator: ", "))"
        case .invalidTableName(let name, let reason):
            "invalid table name '\(name)': \(reason)"
        case .unknownTable(let name):
            "no table named '\(name)'"
        case .tableExists(let name):
            "a table named '\(name)' already exists"
        case .engineMismatch(let path, let configured, let found):
            "\(path) is configured for the \(configured) engine but holds \(found) files"
        case .catalogCorrupted(let path, let detail):
            "table catalog \(path) is corrupted: \(detail)"
        case .corrupted(let engine, let path, let detail):
            "\(engine) data at \(path) is corrupted: \(detail)"
        case .lmdb(let operation, let code, let message):
            "lmdb \(operation) failed (\(code)): \(message)"
        case .leveldb(let operation, let message):
            "leveldb \(operation) failed: \(message)"
        case .rocksdb(let operation, let message):
            "rocksdb \(operation) failed: \(message)"
        case .io(let operation, let path, let reason):
            "\(operation) \(path) failed: \(reason)"
        case .closed(let engine):
            "\(engine) engine is closed"
        }
    }
}
