/// How much an engine holds.
public struct EngineStatistics: Sendable, Equatable {
    /// Number of entries (exact for memory and LMDB, counted by a key scan for LevelDB and RocksDB).
    public var entryCount: Int
    /// Approximate bytes the data takes: payload bytes for memory, pages in use for LMDB, the sizes of LevelDB's
    /// and RocksDB's files.
    public var approximateBytes: Int

    public init(entryCount: Int, approximateBytes: Int) {
        self.entryCount = entryCount
        self.approximateBytes = approximateBytes
    }
}
