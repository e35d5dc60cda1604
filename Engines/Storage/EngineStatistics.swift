/// How much an engine holds.
public struct EngineStatistics: Sendable, Equatable {
    /// Number of entries (exact for memory and LMDB, counted by a key scan for LevelDB).
    public var entryCount: Int
    /// Approximate bytes the data takes: payload bytes for memory, pages in use for LMDB, the sizes LevelDB
    /// estimates for its files.
    public var approximateBytes: Int

    public init(entryCount: Int, approximateBytes: Int) {
        self.entryCount = entryCount
        self.approximateBytes = approximateBytes
    }
}
