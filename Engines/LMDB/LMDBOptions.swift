/// Options of the LMDB engine, with defaults that suit a node holding many tables.
public struct LMDBOptions: Codable, Sendable, Equatable {
    /// The memory map's first size. It doubles whenever a write finds it full (MDB_MAP_FULL).
    public var mapSizeBytesInitial: Int
    /// The map never grows past this; a write that needs more fails with `StorageError.engineFull`.
    public var mapSizeBytesMax: Int
    /// Most concurrent read transactions (LMDB's reader table size).
    public var readersMax: Int

    public static let defaultMapSizeBytesInitial = 64 << 20
    public static let defaultMapSizeBytesMax = 1 << 40
    public static let defaultReadersMax = 512

    public init(
        mapSizeBytesInitial: Int = LMDBOptions.defaultMapSizeBytesInitial,
        mapSizeBytesMax: Int = LMDBOptions.defaultMapSizeBytesMax,
        readersMax: Int = LMDBOptions.defaultReadersMax
    ) {
        precondition(mapSizeBytesInitial > 0 && mapSizeBytesInitial <= mapSizeBytesMax, "0 < initial map ≤ max map")
        precondition(readersMax > 0, "readersMax is positive")
        self.mapSizeBytesInitial = mapSizeBytesInitial
        self.mapSizeBytesMax = mapSizeBytesMax
        self.readersMax = readersMax
    }
}
