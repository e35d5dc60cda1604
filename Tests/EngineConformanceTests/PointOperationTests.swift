import CairnStorage
import Testing

/// Gets, puts and deletes of single keys, on every engine.
@Suite("Conformance: point operations")
struct PointOperationTests {
    @Test("empty value and 1 MiB value", arguments: allEngines)
    func valueSizes(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        let large = Bytes((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try store.put(bytes("empty"), [])
        try store.put(bytes("large"), large)
        #expect(try store.get(bytes("empty")) == [])
        #expect(try store.get(bytes("large")) == large)
        #expect(try store.get(bytes("absent")) == nil)
    }

    @Test("binary keys with 0x00 and 0xFF sort byte-wise", arguments: allEngines)
    func binaryKeysSortByteWise(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        let keys: [Bytes] = [
            [0x00], [0x00, 0x00], [0x00, 0xFF], [0x01], [0x7F], [0x80], [0xFE, 0xFF], [0xFF], [0xFF, 0x00],
            [0xFF, 0xFF, 0xFF], [0x61, 0x00, 0x62], [0x61], [0x61, 0x62],
        ]
        for (index, key) in keys.enumerated() { try store.put(key, [UInt8(index)]) }
        let sorted = keys.sorted { compareBytes($0, $1) < 0 }
        let scanned = try store.entries()
        #expect(scanned.map(\.key) == sorted)
        for (index, key) in keys.enumerated() {
            #expect(try store.get(key) == [UInt8(index)], "key \(key)")
        }
    }

    @Test("overwrite replaces, delete of a missing key succeeds", arguments: allEngines)
    func overwriteAndDeleteMissing(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        try store.put(bytes("k"), bytes("first"))
        try store.put(bytes("k"), bytes("second, longer value"))
        #expect(try store.get(bytes("k")) == bytes("second, longer value"))
        try store.put(bytes("k"), bytes("3"))
        #expect(try store.get(bytes("k")) == bytes("3"))
        try store.delete(bytes("never-written"))
        try store.delete(bytes("k"))
        try store.delete(bytes("k"))
        #expect(try store.get(bytes("k")) == nil)
        #expect(try store.entries().isEmpty)
    }

    @Test("zero-copy reads see the stored bytes only inside the closure", arguments: allEngines)
    func zeroCopyRead(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        try store.put(bytes("k"), bytes("value"))
        let length = try store.withValue(forKey: bytes("k")) { buffer in buffer?.count }
        #expect(length == 5)
        let firstByte = try store.withValue(forKey: bytes("k")) { buffer in buffer?.first }
        #expect(firstByte == UInt8(ascii: "v"))
        let missing = try store.withValue(forKey: bytes("nope")) { buffer in buffer == nil }
        #expect(missing)
    }

    @Test("statistics count entries and bytes", arguments: allEngines)
    func statistics(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        #expect(try store.statistics().entryCount == 0)
        for index in 0..<500 { try store.put(bytes("key-\(index)"), Bytes(repeating: 7, count: 100)) }
        try store.delete(bytes("key-0"))
        try store.sync()
        let statistics = try store.statistics()
        #expect(statistics.entryCount == 499)
        #expect(statistics.approximateBytes >= 499 * 100 / 4, "compression may shrink, not vanish, the data")
    }

    @Test("calls after close throw closed; closing twice is fine", arguments: allEngines)
    func closedEngine(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        try store.close()
        try store.close()
        #expect(throws: StorageError.closed(engine: engine)) { try store.get(bytes("k")) }
        #expect(throws: StorageError.closed(engine: engine)) { try store.put(bytes("k"), []) }
        #expect(throws: StorageError.closed(engine: engine)) { try store.entries() }
    }
}
