/// The storage engines Cairn ships, by the names the catalog, the CLI and the benchmarks use.
public enum EngineKind: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case memory
    case lmdb
    case leveldb
    case rocksdb

    /// Parses an engine name, with an error that lists the known names.
    public init(parsing name: String) throws(StorageError) {
        guard let kind = EngineKind(rawValue: name.lowercased()) else {
            throw .unknownEngine(name: name, known: EngineKind.allCases.map(\.rawValue))
        }
        self = kind
    }

    /// Whether the engine keeps its data across close and reopen.
    public var isPersistent: Bool { self != .memory }

    public var description: String { rawValue }

    /// The engine whose files `directory` holds, judged by each engine's signature file, or nil for none.
    public static func detect(inDirectory directory: String) -> EngineKind? {
        if DirectoryCheck.fileExists(directory + "/data.mdb") { return .lmdb }
        // RocksDB and LevelDB both keep a CURRENT file; only RocksDB writes IDENTITY, and it does so before its
        // first CURRENT, so a RocksDB directory is never taken for LevelDB's.
        if DirectoryCheck.fileExists(directory + "/IDENTITY") { return .rocksdb }
        if DirectoryCheck.fileExists(directory + "/CURRENT") { return .leveldb }
        return nil
    }

    /// Throws unless `directory` is empty of other engines' files, so this engine can open it.
    public func checkOwns(directory: String) throws(StorageError) {
        if let found = EngineKind.detect(inDirectory: directory), found != self {
            throw .engineMismatch(path: directory, configured: self, found: found)
        }
    }
}
