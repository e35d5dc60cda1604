import CairnStorage
import Testing

@testable import MemoryEngine

/// The sorted index behind one reference: copies are snapshots, and the index knows while one is alive.
@Suite("Memory engine: shared sorted index")
struct SharedSortedIndexTests {
    static func key(_ index: Int) -> Bytes { Bytes("key-\(100_000 + index)".utf8) }

    @Test("a copy keeps the index it was taken from while the original changes, within one box or after a new one")
    func copyIsSnapshot() {
        var shared = SharedSortedIndex()
        for index in 0..<1_000 { shared.change { $0.insert(MemoryEntry.make(key: Self.key(index), value: [])) } }
        let copy = shared
        shared.change { $0.remove(Self.key(0)) }
        shared.change { $0.insert(MemoryEntry.make(key: Self.key(1_000), value: [])) }
        shared.change { $0.replace(with: MemoryEntry.make(key: Self.key(500), value: [1])) }
        #expect(ScanSnapshotTests.keys(copy.index) == (0..<1_000).map(Self.key))
        #expect(ScanSnapshotTests.keys(shared.index) == (1...1_000).map(Self.key))
        var replacedInCopy = false
        copy.scan(KeyRange()) { entry in
            replacedInCopy = replacedInCopy || entry.valueBytes != 0
            return .next
        }
        #expect(!replacedInCopy)
        #expect(copy.index.invariantViolation() == nil && shared.index.invariantViolation() == nil)
    }

    @Test("an overwrite during a scan is not in place even after an insert gave the index a box of its own")
    func notInPlaceAfterCopyDuringScan() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        for index in 0..<10 { try engine.put(Self.key(index), Bytes(repeating: 1, count: 100)) }
        var seen: [Bytes: Bytes] = [:]
        try engine.scan(KeyRange()) { key, value in
            if seen.isEmpty {
                // The insert copies the shared box, so the engine's box is unique though this scan still walks
                // entries it shares; the overwrite must still make a new entry.
                try engine.put(Self.key(100), Bytes(repeating: 1, count: 100))
                try engine.put(Self.key(5), Bytes(repeating: 2, count: 100))
            }
            seen[Bytes(key)] = Bytes(value)
            return .next
        }
        #expect(seen.count == 10)
        #expect(seen[Self.key(5)] == Bytes(repeating: 1, count: 100), "the scan saw its snapshot's value")
        #expect(try engine.get(Self.key(5)) == Bytes(repeating: 2, count: 100))
    }

    @Test("once a scan has ended, an overwrite that fits is made in place again")
    func inPlaceAfterScan() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        try engine.put(Self.key(1), Bytes(repeating: 1, count: 100))
        let first = try engine.withValue(forKey: Self.key(1)) { $0?.baseAddress }
        var duringScan: UnsafeRawPointer?
        try engine.scan(KeyRange()) { _, _ in
            try engine.put(Self.key(1), Bytes(repeating: 2, count: 100))
            duringScan = try engine.withValue(forKey: Self.key(1)) { $0?.baseAddress }
            return .stop
        }
        #expect(duringScan != nil && duringScan != first, "an overwrite during a scan makes a new entry")
        try engine.put(Self.key(1), Bytes(repeating: 3, count: 100))
        let afterScan = try engine.withValue(forKey: Self.key(1)) { $0?.baseAddress }
        #expect(afterScan == duringScan, "the scan's snapshot was released, so the overwrite was in place")
        #expect(try engine.get(Self.key(1)) == Bytes(repeating: 3, count: 100))
    }
}
