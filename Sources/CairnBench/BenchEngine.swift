import CairnEngines
import CairnStorage

/// The engines a comparison run can measure: Cairn's four and their three raw C baselines.
public enum BenchEngine: String, CaseIterable, Codable, Sendable {
    case memory, lmdb, leveldb, rocksdb
    case rawLMDB = "raw-lmdb"
    case rawLevelDB = "raw-leveldb"
    case rawRocksDB = "raw-rocksdb"

    /// The raw C baseline a Cairn engine is compared against, if any.
    public var rawBaseline: BenchEngine? {
        switch self {
        case .lmdb: .rawLMDB
        case .leveldb: .rawLevelDB
        case .rocksdb: .rawRocksDB
        default: nil
        }
    }

    /// The Cairn engine this is, or nil for a raw baseline.
    public var cairnKind: EngineKind? {
        switch self {
        case .memory: .memory
        case .lmdb: .lmdb
        case .leveldb: .leveldb
        case .rocksdb: .rocksdb
        case .rawLMDB, .rawLevelDB, .rawRocksDB: nil
        }
    }

    /// The engines a group name stands for: `cairn` (every Cairn engine), `persistent` (the Cairn engines that
    /// persist) or `raw` (every raw C baseline), so scripts pick up engines added later; nil for any other name.
    public static func group(named name: String) -> [BenchEngine]? {
        switch name {
        case "cairn": allCases.filter { $0.cairnKind != nil }
        case "persistent": allCases.filter { $0.cairnKind != nil && $0.persists }
        case "raw": allCases.filter { $0.cairnKind == nil }
        default: nil
        }
    }

    /// The names `group(named:)` knows.
    public static let groupNames = ["cairn", "persistent", "raw"]

    /// Whether the engine takes atomic batches (one commit for many puts); the raw C baselines do not.
    public var takesBatches: Bool { cairnKind != nil }

    /// Whether the engine keeps its data across close and reopen.
    public var persists: Bool { cairnKind?.isPersistent ?? true }

    /// How a write of this engine reaches the disk under sync durability, in words.
    public var syncMethod: String {
        guard let kind = cairnKind else { return "as its Cairn engine, but one put per commit (no batches)" }
        // By name, so engines added to `EngineKind` later fall to the general answer rather than break this.
        switch kind.rawValue {
        case "memory": return "none: memory keeps nothing across a restart"
        case "lmdb": return "fsync (fdatasync) of the data file at each transaction commit: one put, or one batch"
        case "leveldb", "rocksdb": return "fsync of the write-ahead log at each write: one put, or one batch"
        default: return "an fsync at each write or batch; see the engine's options"
        }
    }

    /// Opens a fresh target over `directory`.
    func open(in directory: String, durability: Durability) throws -> any BenchTarget {
        if let kind = cairnKind {
            return EngineTarget(try TableConfiguration(engine: kind, durability: durability).openEngine(in: directory))
        }
        switch self {
        case .rawLMDB: return try RawCTarget.lmdb(directory: directory, durability: durability)
        case .rawRocksDB: return try RawCTarget.rocksdb(directory: directory, durability: durability)
        default: return try RawCTarget.leveldb(directory: directory, durability: durability)
        }
    }
}
