import CairnStorage
import LMDBEngine
import LevelDBEngine
import MemoryEngine

/// How one table is stored: its engine, its durability and the engine's options.
///
/// Stored in the catalog, so a restarted node reopens each table exactly as it was created. Options of
/// engines other than `engine` are ignored.
public struct TableConfiguration: Codable, Sendable, Equatable {
    public var engine: EngineKind
    public var durability: Durability
    public var memory: MemoryOptions
    public var lmdb: LMDBOptions
    public var leveldb: LevelDBOptions

    public init(
        engine: EngineKind,
        durability: Durability = .sync,
        memory: MemoryOptions = MemoryOptions(),
        lmdb: LMDBOptions = LMDBOptions(),
        leveldb: LevelDBOptions = LevelDBOptions()
    ) {
        self.engine = engine
        self.durability = durability
        self.memory = memory
        self.lmdb = lmdb
        self.leveldb = leveldb
    }

    /// Opens this configuration's engine over `directory` (which the memory engine leaves empty).
    public func openEngine(in directory: String) throws -> any StorageEngine {
        switch engine {
        case .memory:
            try DirectoryCheck.prepare(directory)
            try EngineKind.memory.checkOwns(directory: directory)
            return MemoryEngine(options: memory)
        case .lmdb:
            return try LMDBEngine(directory: directory, durability: durability, options: lmdb)
        case .leveldb:
            return try LevelDBEngine(directory: directory, durability: durability, options: leveldb)
        }
    }
}
