import CairnCore
import CairnStorage
import Foundation
import Synchronization
import Testing

@testable import MemoryEngine

/// A batch's changes to the sorted index: made in place (small batch, no scan walking) or on a copy (a large batch,
/// or a scan walking), they leave scans exactly as the point reads, and a scan that walks never sees a batch.
@Suite("Memory engine: batch index changes")
struct BatchIndexTests {
    static func key(_ number: Int) -> Bytes { Bytes("key-\(1_000_000 + number)".utf8) }

    /// Every key and value a full scan visits.
    static func scanAll(_ engine: MemoryEngine) throws -> [Bytes: Bytes] {
        var seen: [Bytes: Bytes] = [:]
        var previous: Bytes?
        try engine.scan(KeyRange()) { key, value in
            let key = Bytes(key)
            if let previous { #expect(compareBytes(previous, key) < 0, "scan order") }
            previous = key
            seen[key] = Bytes(value)
            return .next
        }
        return seen
    }

    /// A seeded batch of puts, overwrites (some of the same key twice) and deletes over `keySpace` keys.
    static func batch(_ count: Int, keySpace: Int, seed: UInt64, model: inout [Bytes: Bytes]) -> WriteBatch {
        var random = SplitMix64(seed: seed)
        var batch = WriteBatch()
        for step in 0..<count {
            let key = key(Int(random.next() % UInt64(keySpace)))
            if random.next() % 5 == 0 {
                batch.delete(key)
                model[key] = nil
            } else {
                let value = Bytes("v\(seed)-\(step)".utf8)
                batch.put(key, value)
                model[key] = value
            }
        }
        return batch
    }

    @Test("batches below and above inPlaceBatchChangesMax leave scans and point reads matching a model")
    func batchesMatchModel() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        var model: [Bytes: Bytes] = [:]
        let sizes = [1, 100, MemoryEngine.inPlaceBatchChangesMax, MemoryEngine.inPlaceBatchChangesMax + 1, 3 * MemoryEngine.inPlaceBatchChangesMax]
        for (round, size) in sizes.enumerated() {
            try engine.apply(Self.batch(size, keySpace: 6_000, seed: UInt64(round), model: &model))
            #expect(try Self.scanAll(engine) == model, "after a batch of \(size)")
        }
        for (key, value) in model { #expect(try engine.get(key) == value) }
        #expect(try engine.statistics().entryCount == model.count)
    }

    @Test("a batch applied while a scan walks stays out of that scan and shows in the next one, whole")
    func walkingScanSeesNoBatch() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        var model: [Bytes: Bytes] = [:]
        try engine.apply(Self.batch(2_000, keySpace: 3_000, seed: 1, model: &model))
        let before = model
        var seen: [Bytes: Bytes] = [:]
        var applied = false
        try engine.scan(KeyRange()) { key, value in
            if !applied {
                // A small batch: in place if no scan walked; this scan walks, so it changes a copy.
                try engine.apply(Self.batch(500, keySpace: 3_000, seed: 2, model: &model))
                applied = true
            }
            seen[Bytes(key)] = Bytes(value)
            return .next
        }
        #expect(applied)
        #expect(seen == before)
        #expect(model != before)
        #expect(try Self.scanAll(engine) == model)
    }

    @Test("scans running beside batches (in place and on copies) each see one batch whole: one generation, every key")
    func concurrentScansSeeBatchesWhole() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        let keyCount = 300
        let generations = 150
        func batch(_ generation: Int) -> WriteBatch {
            var batch = WriteBatch()
            // Every key, all with this generation's value; every 10th generation holds them four times, so its
            // 1,200 index changes pass `inPlaceBatchChangesMax` and go to a copy.
            let repeats = generation % 10 == 0 ? 4 : 1
            for _ in 0..<repeats {
                for number in 0..<keyCount { batch.put(Self.key(number), Bytes("g\(generation)".utf8)) }
            }
            return batch
        }
        try engine.apply(batch(0))
        let done = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let scans = Atomic<Int>(0)
        let finished = DispatchGroup()
        for scanner in 0..<2 {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                var round = 0
                while !done.load(ordering: .acquiring) {
                    var values: Set<Bytes> = []
                    var count = 0
                    do {
                        try engine.scan(KeyRange()) { _, value in
                            values.insert(Bytes(value))
                            count += 1
                            return .next
                        }
                    } catch {
                        failures.withLock { $0.append("scan failed: \(error)") }
                        return
                    }
                    if values.count != 1 || count != keyCount {
                        failures.withLock { if $0.count < 10 { $0.append("scan saw \(count) keys, \(values.count) generations") } }
                    }
                    scans.add(1, ordering: .relaxed)
                    round += 1
                    // Pauses now and then, so some batches find no scan walking and change the index in place.
                    if (round + scanner) % 3 == 0 { usleep(200) }
                }
            }
        }
        for generation in 1...generations { try engine.apply(batch(generation)) }
        done.store(true, ordering: .releasing)
        finished.wait()
        #expect(failures.withLock { $0 } == [])
        #expect(scans.load(ordering: .relaxed) > 0)
        var last: Set<Bytes> = []
        try engine.scan(KeyRange()) { _, value in
            last.insert(Bytes(value))
            return .next
        }
        #expect(last == [Bytes("g\(generations)".utf8)])
    }
}
