import CairnCore
import CairnStorage
import Foundation
import Synchronization
import Testing

@testable import MemoryEngine

/// The memory engine's scans walk a copy-on-write snapshot of the sorted index: writers neither wait for them nor
/// reach what they see.
@Suite("Memory engine: scan snapshots")
struct ScanSnapshotTests {
    static func key(_ index: Int) -> Bytes { Bytes(String(format: "key-%06d", index).utf8) }
    static func value(_ index: Int, version: Int) -> Bytes { Bytes("value-\(index)-v\(version)".utf8) }

    /// The index's keys, in its own order.
    static func keys(_ index: SortedKeyIndex) -> [Bytes] {
        var keys: [Bytes] = []
        index.scan(KeyRange()) { entry in
            keys.append(entry.withKey { Bytes($0) })
            return .next
        }
        return keys
    }

    @Test("a copy of the index keeps its keys while the original takes inserts, replacements, removals and splits")
    func indexCopyIsSnapshot() {
        var index = SortedKeyIndex()
        var model = Set<Bytes>()
        var random = SplitMix64(seed: 3)
        // Enough keys for several chunk and group splits (64 chunks of up to 256 entries per group).
        for _ in 0..<40_000 {
            let key = Self.key(random.next(below: 1_000_000))
            if model.insert(key).inserted { index.insert(MemoryEntry.make(key: key, value: [])) }
        }
        #expect(index.invariantViolation() == nil)
        #expect(index.groups.count > 1, "the index has several groups")
        let snapshot = index
        let snapshotKeys = model.sorted { compareBytes($0, $1) < 0 }
        for step in 0..<20_000 {
            let key = Self.key(random.next(below: 1_000_000))
            if model.contains(key), step % 3 == 0 {
                index.remove(key)
                model.remove(key)
            } else if model.contains(key) {
                index.replace(with: MemoryEntry.make(key: key, value: [1]))
            } else {
                index.insert(MemoryEntry.make(key: key, value: []))
                model.insert(key)
            }
        }
        #expect(index.invariantViolation() == nil)
        #expect(snapshot.invariantViolation() == nil)
        #expect(Self.keys(index) == model.sorted { compareBytes($0, $1) < 0 })
        #expect(Self.keys(snapshot) == snapshotKeys)
        var replacedSeen = false
        snapshot.scan(KeyRange()) { entry in
            replacedSeen = replacedSeen || entry.valueBytes != 0
            return .next
        }
        #expect(!replacedSeen, "the snapshot holds none of the replacing entries")
    }

    @Test("removing every key merges nothing wrongly: groups and chunks empty out and the index ends empty")
    func removeEverything() {
        var index = SortedKeyIndex()
        let count = 20_000
        for position in 0..<count { index.insert(MemoryEntry.make(key: Self.key(position * 7 % count), value: [])) }
        #expect(index.invariantViolation() == nil)
        for position in 0..<count {
            index.remove(Self.key(position * 13 % count))
            if position % 2_500 == 0 { #expect(index.invariantViolation() == nil, "after \(position) removals") }
        }
        #expect(index.groups.isEmpty)
        #expect(Self.keys(index).isEmpty)
    }

    @Test("writes finish while a scan is paused inside its visit, and the scan sees none of them")
    func writersDoNotWaitForScans() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        for index in 0..<1_000 { try engine.put(Self.key(index), Self.value(index, version: 0)) }
        let writesDone = DispatchSemaphore(value: 0)
        let startWrites = DispatchSemaphore(value: 0)
        let writeFailure = Mutex<String?>(nil)
        Thread.detachNewThread {
            startWrites.wait()
            do {
                // An in-place-sized overwrite, a larger overwrite, a delete, an insert and a batch, all past the
                // scan's position.
                try engine.put(Self.key(900), Self.value(900, version: 1))
                try engine.put(Self.key(901), Self.value(901, version: 1) + Bytes(repeating: 7, count: 500))
                try engine.delete(Self.key(902))
                try engine.put(Self.key(1_500), Self.value(1_500, version: 1))
                var batch = WriteBatch()
                batch.put(Self.key(903), Self.value(903, version: 1))
                batch.delete(Self.key(904))
                batch.put(Self.key(1_501), Self.value(1_501, version: 1))
                try engine.apply(batch)
            } catch {
                writeFailure.withLock { $0 = "\(error)" }
            }
            writesDone.signal()
        }
        var seen: [Bytes: Bytes] = [:]
        var writersFinished = false
        try engine.scan(KeyRange()) { key, value in
            if seen.isEmpty {
                startWrites.signal()
                // Before the snapshot scans, the writers waited for the whole scan: this wait timed out.
                writersFinished = writesDone.wait(timeout: .now() + 10) == .success
            }
            seen[Bytes(key)] = Bytes(value)
            return .next
        }
        if !writersFinished { writesDone.wait() }
        #expect(writersFinished, "the writes finished while the scan was paused")
        #expect(writeFailure.withLock { $0 } == nil)
        #expect(seen.count == 1_000)
        for index in 0..<1_000 { #expect(seen[Self.key(index)] == Self.value(index, version: 0), "key \(index)") }
        // The writes did land, for the next scan and for point reads.
        let after = Dictionary(uniqueKeysWithValues: try engine.entries().map { ($0.key, $0.value) })
        #expect(after.count == 1_000 - 2 + 2)
        #expect(after[Self.key(900)] == Self.value(900, version: 1))
        #expect(after[Self.key(902)] == nil && after[Self.key(904)] == nil)
        #expect(after[Self.key(903)] == Self.value(903, version: 1))
        #expect(try engine.get(Self.key(1_501)) == Self.value(1_501, version: 1))
        #expect(try engine.get(Self.key(900)) == Self.value(900, version: 1))
    }

    @Test("an overwrite that fits in place, made while no scan runs, changes the entry in place")
    func inPlaceWhenNoScan() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        try engine.put(Self.key(1), Self.value(1, version: 0))
        let before = try engine.withValue(forKey: Self.key(1)) { $0?.baseAddress }
        try engine.put(Self.key(1), Self.value(1, version: 1))
        let after = try engine.withValue(forKey: Self.key(1)) { $0?.baseAddress }
        #expect(before != nil && before == after)
        #expect(try engine.get(Self.key(1)) == Self.value(1, version: 1))
    }
}
