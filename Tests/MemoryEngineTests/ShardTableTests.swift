import CairnCore
import CairnStorage
import Testing

@testable import MemoryEngine

/// The memory engine's open-addressing shard under long probe runs, checked against a dictionary.
@Suite("Memory engine: shard table")
struct ShardTableTests {
    /// A deliberately poor hash (five values: the first two and last three home slots of any table size), so
    /// keys share probe runs that wrap around the table and every removal must shift later slots back.
    static func crowdedHash(_ key: Bytes) -> UInt64 {
        [0, 1, .max - 2, .max - 1, .max][key.reduce(0) { $0 &+ Int($1) } % 5]
    }

    @Test("inserts, replacements and removals in crowded probe runs match a dictionary")
    func crowdedRunsMatchModel() {
        var table = ShardTable()
        defer { table.removeAll() }
        var model: [Bytes: MemoryEntry] = [:]
        var random = SplitMix64(seed: 11)
        for step in 0..<6_000 {
            let key = Bytes("k\(random.next() % 700)".utf8)
            let hash = Self.crowdedHash(key)
            if random.next() % 3 == 0 {
                let removed = key.withUnsafeBytes { table.remove($0, hash: hash) }
                #expect(removed === model.removeValue(forKey: key), "remove \(key) at step \(step)")
            } else {
                let entry = MemoryEntry.make(key: key, value: Bytes("v\(step)".utf8))
                #expect(table.set(entry, hash: hash) == (model.updateValue(entry, forKey: key) == nil))
            }
            #expect(table.count == model.count)
            if step % 500 == 0 {
                for index in 0..<700 {
                    let probe = Bytes("k\(index)".utf8)
                    let found = probe.withUnsafeBytes { table.entry(for: $0, hash: Self.crowdedHash(probe)) }
                    #expect(found === model[probe], "lookup \(index) at step \(step)")
                }
            }
        }
        #expect(model.count > 100, "the run keeps enough keys for long probe runs")
    }

    @Test("a batch locks each shard of its keys once, in ascending order, and no other")
    func batchShardsAreDistinctAndAscending() {
        var random = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 1_000, 20_000] {
            let hashes = (0..<count).map { _ in UInt64.random(in: .min ... .max, using: &random) }
            let expected = Set(hashes.map { Int($0 >> UInt64(64 - ShardedKeyMap.shardBits)) }).sorted()
            #expect(ShardedKeyMap.distinctShards(hashes) == expected)
        }
        // Repeats of one hash, and the first and last shard.
        #expect(ShardedKeyMap.distinctShards([7, 7, 7]) == [0])
        #expect(ShardedKeyMap.distinctShards([.max, 0, .max]) == [0, ShardedKeyMap.shardCount - 1])
    }
}
