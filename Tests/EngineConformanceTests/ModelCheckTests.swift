import CairnCore
import CairnStorage
import Testing

/// Random puts, deletes and batches on every engine, checked against a plain dictionary after each round.
///
/// The keys are chosen to stress ordered indexes: enough of them to split and empty many chunks or pages,
/// keys sharing a 16-byte prefix, keys differing only by trailing zero bytes, and values that grow and shrink.
@Suite("Conformance: model check")
struct ModelCheckTests {
    static let steps = 4_000
    static let stepsPerCheck = 250

    /// A key from one of four families, each hard for a different shortcut of an ordered index.
    static func randomKey(_ random: inout SplitMix64) -> Bytes {
        switch random.next() % 4 {
        case 0:  // short keys over a tiny alphabet, with 0x00 and 0xFF
            let alphabet: [UInt8] = [0x00, 0x01, 0x61, 0xFF]
            return (0...(random.next() % 4)).map { _ in alphabet[Int(random.next() % 4)] }
        case 1:  // longer than 16 bytes, all sharing their first 16
            return bytes("shared-prefix-16") + Bytes((0..<(random.next() % 3)).map { _ in UInt8(random.next() % 3) })
        case 2:  // a 16-byte decimal key, as the benchmarks write them, sometimes with trailing zero bytes
            let key = bytes(String(String(random.next() % 1_000 + 1_000_000_000_000_000).suffix(16)))
            return key + Bytes(repeating: 0, count: Int(random.next() % 3))
        default:  // random bytes of random length
            return (0...(random.next() % 24)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
    }

    /// A value of a size that often differs from the last one under the same key.
    static func randomValue(_ random: inout SplitMix64, step: Int) -> Bytes {
        let sizes = [0, 1, 8, 100, 400]
        let size = sizes[Int(random.next() % UInt64(sizes.count))]
        return Bytes((0..<size).map { UInt8(truncatingIfNeeded: $0 &+ step) })
    }

    /// Throws a description of the first difference between `store` and `model`.
    static func check(_ store: any StorageEngine, _ model: [Bytes: Bytes], _ random: inout SplitMix64) throws {
        let expected = model.sorted { compareBytes($0.key, $1.key) < 0 }
        let scanned = try store.entries()
        #expect(scanned.map(\.key) == expected.map(\.key), "full scan keys")
        #expect(scanned.map(\.value) == expected.map(\.value), "full scan values")
        for _ in 0..<20 {
            let (lower, upper) = (randomKey(&random), randomKey(&random))
            let inRange = expected.filter { compareBytes($0.key, lower) >= 0 && compareBytes($0.key, upper) < 0 }
            let got = try store.entries(in: KeyRange(from: lower, to: upper))
            #expect(got.map(\.key) == inRange.map(\.key), "scan from \(lower) to \(upper)")
            let probe = randomKey(&random)
            #expect(try store.get(probe) == model[probe], "get \(probe)")
        }
    }

    @Test("random writes match a dictionary, then deleting every key empties the engine", arguments: allEngines)
    func randomWritesMatchModel(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open(durability: .buffered)
        defer { try? store.close() }
        var random = SplitMix64(seed: 7)
        var model: [Bytes: Bytes] = [:]
        for step in 1...Self.steps {
            let roll = random.next() % 100
            if roll < 60 {
                let (key, value) = (Self.randomKey(&random), Self.randomValue(&random, step: step))
                try store.put(key, value)
                model[key] = value
            } else if roll < 90 {
                let key = model.keys.randomElement(using: &random) ?? Self.randomKey(&random)
                try store.delete(key)
                model[key] = nil
            } else {
                var batch = WriteBatch()
                for _ in 0..<8 {
                    let key = Self.randomKey(&random)
                    if random.next() % 3 == 0 {
                        batch.delete(key)
                        model[key] = nil
                    } else {
                        let value = Self.randomValue(&random, step: step)
                        batch.put(key, value)
                        model[key] = value
                    }
                }
                try store.apply(batch)
            }
            if step % Self.stepsPerCheck == 0 { try Self.check(store, model, &random) }
        }
        #expect(model.count > 1_000, "the run holds enough keys to split chunks and pages")
        for (index, key) in model.keys.shuffled(using: &random).enumerated() {
            try store.delete(key)
            model[key] = nil
            if index % 300 == 0 { try Self.check(store, model, &random) }
        }
        #expect(try store.entries().isEmpty)
    }
}
