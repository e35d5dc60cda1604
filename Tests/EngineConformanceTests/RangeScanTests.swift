import CairnCore
import CairnStorage
import Testing

/// Ordered iteration over half-open key ranges, on every engine.
@Suite("Conformance: range scans")
struct RangeScanTests {
    /// Keys `a`…`e` plus edge keys around them.
    static let keys: [Bytes] = [[0x00], bytes("a"), bytes("ab"), bytes("b"), bytes("c"), bytes("d"), bytes("e"), [0xFF, 0xFF]]

    func filled(_ engine: EngineKind) throws -> (EngineFixture, any StorageEngine) {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        for key in Self.keys { try store.put(key, key) }
        return (fixture, store)
    }

    func scannedKeys(_ store: any StorageEngine, _ range: KeyRange, limit: Int = .max) throws -> [Bytes] {
        try store.entries(in: range, limit: limit).map(\.key)
    }

    @Test("lower bound is inclusive, upper bound exclusive", arguments: allEngines)
    func halfOpenBounds(engine: EngineKind) throws {
        let (fixture, store) = try filled(engine)
        defer { try? store.close(); _ = fixture }
        #expect(try scannedKeys(store, KeyRange(from: bytes("b"), to: bytes("d"))) == [bytes("b"), bytes("c")])
        #expect(try scannedKeys(store, KeyRange(from: bytes("aa"), to: bytes("b"))) == [bytes("ab")])
        #expect(try scannedKeys(store, KeyRange(from: bytes("d"))) == [bytes("d"), bytes("e"), [0xFF, 0xFF]])
        #expect(try scannedKeys(store, KeyRange(to: bytes("a"))) == [[0x00]])
        #expect(try scannedKeys(store, .all) == Self.keys)
    }

    @Test("empty and inverted ranges visit nothing", arguments: allEngines)
    func emptyRanges(engine: EngineKind) throws {
        let (fixture, store) = try filled(engine)
        defer { try? store.close(); _ = fixture }
        #expect(try scannedKeys(store, KeyRange(from: bytes("c"), to: bytes("c"))).isEmpty)
        #expect(try scannedKeys(store, KeyRange(from: bytes("d"), to: bytes("b"))).isEmpty)
        #expect(try scannedKeys(store, KeyRange(from: bytes("x"), to: bytes("z"))).isEmpty)
    }

    @Test("prefix ranges, including an all-0xFF prefix", arguments: allEngines)
    func prefixes(engine: EngineKind) throws {
        let (fixture, store) = try filled(engine)
        defer { try? store.close(); _ = fixture }
        #expect(try scannedKeys(store, .prefix(bytes("a"))) == [bytes("a"), bytes("ab")])
        #expect(try scannedKeys(store, .prefix([0xFF])) == [[0xFF, 0xFF]])
        #expect(try scannedKeys(store, .prefix([])) == Self.keys)
    }

    @Test("limits and early stop", arguments: allEngines)
    func limitsAndStop(engine: EngineKind) throws {
        let (fixture, store) = try filled(engine)
        defer { try? store.close(); _ = fixture }
        #expect(try scannedKeys(store, .all, limit: 2) == [[0x00], bytes("a")])
        #expect(try scannedKeys(store, .all, limit: 0).isEmpty)
        var visited = 0
        try store.scan(KeyRange(from: bytes("b"))) { _, _ in
            visited += 1
            return visited == 3 ? .stop : .next
        }
        #expect(visited == 3)
    }

    @Test("a large scan crosses internal page and chunk boundaries in order", arguments: allEngines)
    func largeOrderedScan(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open(durability: .buffered)
        defer { try? store.close() }
        var generator = SplitMix64(seed: 42)
        var model: [Bytes: Bytes] = [:]
        var batch = WriteBatch()
        for _ in 0..<5_000 {
            let key = Bytes((0..<Int(generator.next() % 12 + 1)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            let value = Bytes(repeating: UInt8(truncatingIfNeeded: generator.next()), count: Int(generator.next() % 40))
            model[key] = value
            batch.put(key, value)
        }
        try store.apply(batch)
        let expected = model.keys.sorted { compareBytes($0, $1) < 0 }
        let scanned = try store.entries()
        #expect(scanned.map(\.key) == expected)
        #expect(scanned.allSatisfy { model[$0.key] == $0.value })
        let low = expected[1000]
        let high = expected[3000]
        #expect(try scannedKeys(store, KeyRange(from: low, to: high)) == Array(expected[1000..<3000]))
    }
}
