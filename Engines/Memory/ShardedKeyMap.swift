#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnStorage

/// A byte key with its 64-bit hash, computed once: the hash picks the shard and feeds the shard's dictionary.
struct HashedKey: Hashable {
    let bytes: Bytes
    let hash: UInt64

    static func == (left: HashedKey, right: HashedKey) -> Bool {
        guard left.hash == right.hash, left.bytes.count == right.bytes.count else { return false }
        return left.bytes.withUnsafeBytes { a in
            right.bytes.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}

/// The point index of the memory engine: key → entry, split over `shardCount` dictionaries by key hash.
///
/// A Swift dictionary grows by rehashing every key at once; one dictionary of a million keys stalls an
/// insert for hundreds of milliseconds. Split in 4,096 shards, each growth rehashes one shard only (about
/// 250 keys per shard at a million keys), so no single write pays for the whole table.
struct ShardedKeyMap {
    static let shardBits = 12
    static let shardCount = 1 << shardBits

    private var shards: [[HashedKey: MemoryEntry]] = Array(repeating: [:], count: ShardedKeyMap.shardCount)
    /// Keys held, over all shards.
    private(set) var count = 0
    /// Random per map, so nobody can choose keys that all land in one shard.
    private let seed = UInt64.random(in: .min ... .max)

    /// `key` with its hash, ready for the other methods.
    func hashed(_ key: Bytes) -> HashedKey {
        HashedKey(bytes: key, hash: key.withUnsafeBytes { Self.hash($0, seed: seed) })
    }

    /// The entry stored under `key`, or nil.
    @inline(__always)
    func entry(for key: HashedKey) -> MemoryEntry? {
        shards[Self.shard(key)][key]
    }

    /// Stores `entry` under `key`, replacing any entry there; returns the one replaced.
    @discardableResult
    mutating func set(_ entry: MemoryEntry, for key: HashedKey) -> MemoryEntry? {
        let replaced = shards[Self.shard(key)].updateValue(entry, forKey: key)
        if replaced == nil { count += 1 }
        return replaced
    }

    /// Removes `key`; returns its entry, or nil when it was absent.
    mutating func remove(_ key: HashedKey) -> MemoryEntry? {
        let removed = shards[Self.shard(key)].removeValue(forKey: key)
        if removed != nil { count -= 1 }
        return removed
    }

    @inline(__always)
    private static func shard(_ key: HashedKey) -> Int {
        Int(truncatingIfNeeded: key.hash >> UInt64(64 - shardBits))
    }

    /// A 64-bit hash of `key`, eight bytes at a time, finished with MurmurHash3's mixer.
    static func hash(_ key: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var hash = seed ^ (UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= key.count {
            hash = (hash ^ key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            offset += 8
        }
        if offset < key.count {
            var tail: UInt64 = 0
            for index in offset..<key.count { tail = tail << 8 | UInt64(key[index]) }
            hash = (hash ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        }
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }
}
