/// Options of the LevelDB engine, with defaults that suit point reads on a node holding many tables.
public struct LevelDBOptions: Codable, Sendable, Equatable {
    /// Bytes of the LRU cache of uncompressed blocks, shared by reads of this table.
    public var blockCacheBytes: Int
    /// Bits per key of the bloom filter that lets a get for a missing key skip files; 0 turns it off.
    public var bloomFilterBitsPerKey: Int
    /// Bytes the memtable takes before it is written out as a sorted file.
    public var writeBufferBytes: Int
    /// Most table files LevelDB keeps open.
    public var openFilesMax: Int
    /// Whether blocks are compressed with snappy.
    public var compression: Bool
    /// Whether every read checks block checksums, so corrupted files surface as errors rather than bad data.
    public var verifyChecksums: Bool

    public static let defaultBlockCacheBytes = 32 << 20
    public static let defaultBloomFilterBitsPerKey = 10
    public static let defaultWriteBufferBytes = 4 << 20
    public static let defaultOpenFilesMax = 500

    public init(
        blockCacheBytes: Int = LevelDBOptions.defaultBlockCacheBytes,
        bloomFilterBitsPerKey: Int = LevelDBOptions.defaultBloomFilterBitsPerKey,
        writeBufferBytes: Int = LevelDBOptions.defaultWriteBufferBytes,
        openFilesMax: Int = LevelDBOptions.defaultOpenFilesMax,
        compression: Bool = true,
        verifyChecksums: Bool = true
    ) {
        precondition(blockCacheBytes >= 0 && bloomFilterBitsPerKey >= 0, "cache and bloom sizes are not negative")
        precondition(writeBufferBytes > 0 && openFilesMax > 0, "write buffer and open files are positive")
        self.blockCacheBytes = blockCacheBytes
        self.bloomFilterBitsPerKey = bloomFilterBitsPerKey
        self.writeBufferBytes = writeBufferBytes
        self.openFilesMax = openFilesMax
        self.compression = compression
        self.verifyChecksums = verifyChecksums
    }
}
