/// A hash of key bytes that never changes between runs, builds or machines (unlike Swift's `Hasher`), so a
/// key maps to the same partition everywhere: 64-bit FNV-1a followed by the MurmurHash3 finalizer, which
/// spreads FNV's weak high bits.
public enum StableHash {
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }
}
