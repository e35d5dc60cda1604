#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnStorage

/// The point index of the memory engine: key → entry, split over `shardCount` open-addressing tables by key hash.
///
/// A single hash table grows by rehashing every key at once; one Swift dictionary of a million keys stalls an
/// insert for hundreds of milliseconds. Split in 4,096 shards, each growth rehashes one shard only (about
/// 250 keys per shard at a million keys), so no single write pays for the whole table.
///
/// Each shard has its own reader-writer lock (`locks`): `withEntry` takes it shared; `set` and `remove` expect the
/// caller to hold it exclusive (`withShardLocked`, `withShardsLocked`). `count` changes only under the caller's
/// own writer lock.
final class ShardedKeyMap {
    static let shardBits = 12
    static let shardCount = 1 << shardBits

    /// The shards, reached through a pointer so a lookup neither copies nor retains a shard.
    private let shards: UnsafeMutablePointer<ShardTable>
    /// The lock of each shard, by shard index.
    private let locks = ShardLocks(count: shardCount)
    /// Keys held, over all shards.
    private(set) var count = 0
    /// Random per map, so nobody can choose keys that all land in one shard.
    private let seed = UInt64.random(in: .min ... .max)

    init() {
        shards = .allocate(capacity: Self.shardCount)
        shards.initialize(repeating: ShardTable(), count: Self.shardCount)
    }

    deinit {
        for shard in 0..<Self.shardCount { shards[shard].removeAll() }
        shards.deinitialize(count: Self.shardCount)
        shards.deallocate()
    }

    /// Empties every shard, each under its lock, releasing the entries.
    func removeAll() {
        for shard in 0..<Self.shardCount { locks.withWriteLock(shard) { shards[shard].removeAll() } }
        count = 0
    }

    /// Calls `body` with the entry stored under `key` (whose hash is `hash`), or nil, holding its shard's lock
    /// shared, so no writer changes or frees the entry while `body` runs.
    @inline(__always)
    func withEntry<Result>(
        for key: UnsafeRawBufferPointer, hash: UInt64, _ body: (MemoryEntry?) throws -> Result
    ) rethrows -> Result {
        let shard = Self.shard(hash)
        return try locks.withReadLock(shard) { try shards[shard].withEntry(for: key, hash: hash, body) }
    }

    /// Runs `body` holding the lock of the shard of `hash` exclusive.
    @inline(__always)
    func withShardLocked<Result>(hash: UInt64, _ body: () throws -> Result) rethrows -> Result {
        try locks.withWriteLock(Self.shard(hash), body)
    }

    /// Runs `body` holding every shard's lock exclusive, so no point read runs meanwhile.
    func withAllShardsLocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        try locks.withWriteLocks(Array(0..<Self.shardCount), body)
    }

    /// Runs `body` holding the locks of the shards of every hash in `hashes` exclusive, all taken before it runs.
    func withShardsLocked<Result>(hashes: [UInt64], _ body: () throws -> Result) rethrows -> Result {
        try locks.withWriteLocks(Self.distinctShards(hashes), body)
    }

    /// The 64-bit hash of `key` in this map.
    @inline(__always)
    func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        Self.hash(key, seed: seed)
    }

    /// Starts loading the slot where a lookup of `hash` begins, so the lookup that follows finds it in the cache
    /// (at a million keys the slot is a cache miss, the largest cost of a put). Call holding any lock that keeps
    /// writers from growing its shard meanwhile (the engine's writer lock).
    @inline(__always)
    func prefetchSlot(hash: UInt64) {
        shards[Self.shard(hash)].prefetchSlot(hash: hash)
    }

    /// The entry stored under `key` (whose hash is `hash`), or nil. Call holding its shard's lock.
    @inline(__always)
    func entry(for key: UnsafeRawBufferPointer, hash: UInt64) -> MemoryEntry? {
        shards[Self.shard(hash)].entry(for: key, hash: hash)
    }

    /// Stores `entry` under its key (whose hash is `hash`), in place of any entry with that key. Call holding its
    /// shard's lock exclusive.
    func set(_ entry: MemoryEntry, hash: UInt64) {
        if shards[Self.shard(hash)].set(entry, hash: hash) { count += 1 }
    }

    /// Removes `key` (whose hash is `hash`); returns its entry, or nil when it was absent. Call holding its shard's
    /// lock exclusive.
    func remove(_ key: UnsafeRawBufferPointer, hash: UInt64) -> MemoryEntry? {
        guard let removed = shards[Self.shard(hash)].remove(key, hash: hash) else { return nil }
        count -= 1
        return removed
    }

    @inline(__always)
    /// The shards of `hashes`, ascending and each once: marked in a bitmap of every shard, then read out in order
    /// (a batch of 1,000 puts spent more on hashing a `Set` and sorting it than on locking).
    static func distinctShards(_ hashes: [UInt64]) -> [Int] {
        let wordBits = UInt64.bitWidth
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: shardCount / wordBits) { words in
            words.initialize(repeating: 0)
            for hash in hashes {
                let shard = Self.shard(hash)
                words[shard / wordBits] |= 1 << UInt64(shard % wordBits)
            }
            var indices: [Int] = []
            indices.reserveCapacity(min(hashes.count, shardCount))
            for (index, word) in words.enumerated() {
                var bits = word
                while bits != 0 {
                    indices.append(index * wordBits + bits.trailingZeroBitCount)
                    bits &= bits - 1
                }
            }
            return indices
        }
    }

    private static func shard(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> UInt64(64 - shardBits))
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
