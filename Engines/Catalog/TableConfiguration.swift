import CairnStorage
import LMDBEngine
import LevelDBEngine
import MemoryEngine
import RocksDBEngine

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
    public var rocksdb: RocksDBOptions

    public init(
        engine: EngineKind,
        durability: Durability = .sync,
        memory: MemoryOptions = MemoryOptions(),
        lmdb: LMDBOptions = LMDBOptions(),
        leveldb: LevelDBOptions = LevelDBOptions(),
        rocksdb: RocksDBOptions = RocksDBOptions()
    ) {
        self.engine = engine
        self.durability = durability
        self.memory = memory
        self.lmdb = lmdb
        self.leveldb = leveldb
        self.rocksdb = rocksdb
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
        case .rocksdb:
            return try RocksDBEngine(directory: directory, durability: durability, options: rocksdb)
        }
    }
}

extension TableConfiguration {
    enum CodingKeys: String, CodingKey {
        case engine, durability, memory, lmdb, leveldb, rocksdb
    }

    /// Decodes a configuration; a catalog written before RocksDB existed has no `rocksdb` options and gets
    /// the defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            engine: try container.decode(EngineKind.self, forKey: .engine),
            durability: try container.decode(Durability.self, forKey: .durability),
            memory: try container.decode(MemoryOptions.self, forKey: .memory),
            lmdb: try container.decode(LMDBOptions.self, forKey: .lmdb),
            leveldb: try container.decode(LevelDBOptions.self, forKey: .leveldb),
            rocksdb: try container.decodeIfPresent(RocksDBOptions.self, forKey: .rocksdb) ?? RocksDBOptions())
    }
}
