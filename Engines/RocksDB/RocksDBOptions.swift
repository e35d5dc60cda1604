/// Options of the RocksDB engine. The defaults are RocksDB's own where it has one (write buffer, background
/// jobs, snappy), and LevelDB's engine's for the block cache and bloom filter, so the two compare like for like.
public struct RocksDBOptions: Codable, Sendable, Equatable {
    /// Bytes of the LRU cache of uncompressed blocks, shared by reads of this table; 0 turns it off.
    public var blockCacheBytes: Int
    /// Bits per key of the bloom filter that lets a get for a missing key skip files; 0 turns it off.
    public var bloomFilterBitsPerKey: Int
    /// Bytes the memtable takes before it is written out as a sorted file.
    public var writeBufferBytes: Int
    /// Most table files RocksDB keeps open.
    public var openFilesMax: Int
    /// Most background threads for flushes and compactions together.
    public var backgroundJobsMax: Int
    /// How blocks are compressed.
    public var compression: RocksDBCompression
    /// Whether every read checks block checksums, so corrupted files surface as errors rather than bad data.
    public var verifyChecksums: Bool

    public static let defaultBlockCacheBytes = 32 << 20
    public static let defaultBloomFilterBitsPerKey = 10
    public static let defaultWriteBufferBytes = 64 << 20
    public static let defaultOpenFilesMax = 500
    public static let defaultBackgroundJobsMax = 2
    /// Largest bloom filter: more bits per key stop paying long before this.
    public static let bloomFilterBitsPerKeyMax = 64

    public init(
        blockCacheBytes: Int = RocksDBOptions.defaultBlockCacheBytes,
        bloomFilterBitsPerKey: Int = RocksDBOptions.defaultBloomFilterBitsPerKey,
        writeBufferBytes: Int = RocksDBOptions.defaultWriteBufferBytes,
        openFilesMax: Int = RocksDBOptions.defaultOpenFilesMax,
        backgroundJobsMax: Int = RocksDBOptions.defaultBackgroundJobsMax,
        compression: RocksDBCompression = .snappy,
        verifyChecksums: Bool = true
    ) {
        self.blockCacheBytes = blockCacheBytes
        self.bloomFilterBitsPerKey = bloomFilterBitsPerKey
        self.writeBufferBytes = writeBufferBytes
        self.openFilesMax = openFilesMax
        self.backgroundJobsMax = backgroundJobsMax
        self.compression = compression
        self.verifyChecksums = verifyChecksums
    }

    /// The first option out of range, named, or nil when all are usable. Checked when the engine opens, so a
    /// hand-edited catalog gets an error rather than a crash.
    public var problem: String? {
        if blockCacheBytes < 0 { return "blockCacheBytes is negative (\(blockCacheBytes))" }
        if !(0...Self.bloomFilterBitsPerKeyMax).contains(bloomFilterBitsPerKey) {
            return "bloomFilterBitsPerKey \(bloomFilterBitsPerKey) is outside 0...\(Self.bloomFilterBitsPerKeyMax)"
        }
        if writeBufferBytes <= 0 { return "writeBufferBytes must be positive (\(writeBufferBytes))" }
        if !(1...Int(Int32.max)).contains(openFilesMax) { return "openFilesMax \(openFilesMax) is not a positive 32-bit count" }
        if !(1...256).contains(backgroundJobsMax) { return "backgroundJobsMax \(backgroundJobsMax) is outside 1...256" }
        return nil
    }
}

/// The block compressions the RocksDB engine offers (Debian's librocksdb links all four).
public enum RocksDBCompression: String, Codable, Sendable, CaseIterable {
    case none, snappy, lz4, zstd
}
