import CairnCore
import CairnStorage
import Testing

@testable import MemoryEngine

/// Values stored out of line (`MemoryEntry.outOfLineValueBytesMin` and up, mapped from 128 KiB) read, scan,
/// overwrite, shrink, grow and delete like inline ones.
@Suite("Memory engine: large values")
struct LargeValueTests {
    static func value(_ count: Int, seed: UInt8) -> Bytes {
        Bytes((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed })
    }

    static let sizes = [
        0, 1, 100, MemoryEntry.outOfLineValueBytesMin - 1, MemoryEntry.outOfLineValueBytesMin, 16_384,
        LargeValueStorage.mappedBytesMin - 1, LargeValueStorage.mappedBytesMin, 262_144, 262_144 + 5,
    ]

    @Test("entries keep values of every size inline or out of line, exactly")
    func entryLayout() {
        for size in Self.sizes {
            let entry = MemoryEntry.make(key: Bytes("key".utf8), value: Self.value(size, seed: 1))
            #expect(entry.isValueOutOfLine == (size >= MemoryEntry.outOfLineValueBytesMin))
            entry.withKeyAndValue { key, value in
                #expect(Bytes(key) == Bytes("key".utf8))
                #expect(Bytes(value) == Self.value(size, seed: 1))
            }
        }
    }

    @Test("puts, overwrites across the size classes, scans and deletes match a model")
    func engineMatchesModel() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        var model: [Bytes: Bytes] = [:]
        var random = SplitMix64(seed: 7)
        for step in 0..<300 {
            let key = Bytes("k\(random.next() % 12)".utf8)
            if random.next() % 7 == 0 {
                try engine.delete(key)
                model[key] = nil
            } else {
                let value = Self.value(Self.sizes[Int(random.next() % UInt64(Self.sizes.count))], seed: UInt8(step & 0xFF))
                try engine.put(key, value)
                model[key] = value
            }
            #expect(try engine.get(key) == model[key], "step \(step)")
        }
        for (key, value) in model { #expect(try engine.get(key) == value) }
        var scanned: [Bytes: Bytes] = [:]
        try engine.scan(KeyRange()) { key, value in
            scanned[Bytes(key)] = Bytes(value)
            return .next
        }
        #expect(scanned == model)
        let statistics = try engine.statistics()
        #expect(statistics.entryCount == model.count)
        #expect(statistics.approximateBytes == model.reduce(0) { $0 + $1.key.count + $1.value.count })
    }

    @Test("slab size classes hold their values with at most 12.5% waste, and freed blocks are reused")
    func slabClasses() {
        var lastIndex = -1
        for byteCount in MemoryEntry.outOfLineValueBytesMin..<LargeValueStorage.mappedBytesMin {
            let (index, bytes) = ValueSlabs.sizeClass(byteCount)
            #expect(bytes >= byteCount && (bytes - byteCount) * 8 <= byteCount)
            #expect(index >= lastIndex && index < ValueSlabs.classCount)
            lastIndex = index
        }
        #expect(ValueSlabs.sizeClass(16_384).bytes == 16_384)
        let slabs = ValueSlabs.shared
        let first = slabs.allocate(byteCount: 5_000)
        let second = slabs.allocate(byteCount: 5_000)
        #expect(first != second)
        slabs.deallocate(first, byteCount: 5_000)
        #expect(slabs.allocate(byteCount: 4_999) == first)
        slabs.deallocate(first, byteCount: 4_999)
        slabs.deallocate(second, byteCount: 5_000)
    }
}
