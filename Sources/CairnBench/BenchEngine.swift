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
