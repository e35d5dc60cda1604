import CairnCore
import CairnStorage
import Foundation
import Synchronization
import Testing

@testable import MemoryEngine

/// Several threads mixing puts, deletes, batches, gets and scans on one memory engine: every read returns a value
/// some writer wrote for that key (or nothing), scans are sorted and unique, and batches are seen whole.
@Suite("Memory engine: concurrent stress")
struct MemoryEngineStressTests {
    static let threadCount = 4
    static let stepsPerThread = 6_000
    /// Few keys, so threads keep meeting on the same keys and shards.
    static let keyCount = 48
    /// Value lengths vary up to this, so overwrites both fit in place and need a new entry.
    static let valueBytesMax = 300

    static func key(_ index: Int) -> Bytes { Bytes("stress-\(index / 10)\(index % 10)".utf8) }

    /// The value thread `thread` writes under `key` at `step`: a header naming key, thread and step, padded to
    /// a length that depends on them, so a reader can check it is whole and belongs to `key`.
    static func value(for key: Bytes, thread: Int, step: Int) -> Bytes {
        var value = key + Bytes("|\(thread)|\(step)|".utf8)
        let length = value.count + (thread * 7_919 + step * 31) % (valueBytesMax - value.count)
        while value.count < length { value.append(UInt8(truncatingIfNeeded: value.count &* 13 &+ thread)) }
        return value
    }

    /// Nil when `value` is one that `value(for:thread:step:)` makes for `key`, else what is wrong with it.
    static func problem(key: Bytes, value: Bytes) -> String? {
        let fields = value.split(separator: UInt8(ascii: "|"), maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, Bytes(fields[0]) == key,
            let thread = Int(String(decoding: fields[1], as: UTF8.self)),
            let step = Int(String(decoding: fields[2], as: UTF8.self))
        else { return "value \(String(decoding: value.prefix(40), as: UTF8.self)) is not one written for its key" }
        guard Self.value(for: key, thread: thread, step: step) == value else {
            return "value of thread \(thread) step \(step) under \(String(decoding: key, as: UTF8.self)) is torn"
        }
        return nil
    }

    @Test("mixed put, delete, batch, get and scan threads read only whole written values, sorted and unique")
    func mixedOperationsReadOnlyWrittenValues() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        let failures = Mutex<[String]>([])
        let counts = Mutex<(reads: Int, hits: Int, scans: Int, scannedEntries: Int)>((0, 0, 0, 0))
        let finished = DispatchGroup()
        @Sendable func fail(_ message: String) { failures.withLock { if $0.count < 20 { $0.append(message) } } }

        for thread in 0..<Self.threadCount {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                var random = SplitMix64(seed: 1_000 + UInt64(thread))
                var reads = 0, hits = 0, scans = 0, scannedEntries = 0
                do {
                    for step in 0..<Self.stepsPerThread {
                        let key = Self.key(random.next(below: Self.keyCount))
                        switch random.next(below: 100) {
                        case 0..<30:
                            try engine.put(key, Self.value(for: key, thread: thread, step: step))
                        case 30..<38:
                            try engine.delete(key)
                        case 38..<45:
                            var batch = WriteBatch()
                            let other = Self.key(random.next(below: Self.keyCount))
                            batch.put(key, Self.value(for: key, thread: thread, step: step))
                            batch.delete(other)
                            batch.put(other, Self.value(for: other, thread: thread, step: step))
                            try engine.apply(batch)
                        case 45..<90:
                            reads += 1
                            if let value = try engine.get(key) {
                                hits += 1
                                if let problem = Self.problem(key: key, value: value) { fail("get: \(problem)") }
                            }
                        default:
                            scans += 1
                            var previous: Bytes?
                            try engine.scan(KeyRange(from: Self.key(random.next(below: Self.keyCount)))) { keyBytes, valueBytes in
                                let scannedKey = Bytes(keyBytes)
                                scannedEntries += 1
                                if let previous, compareBytes(previous, scannedKey) >= 0 {
                                    fail("scan: \(String(decoding: scannedKey, as: UTF8.self)) after \(String(decoding: previous, as: UTF8.self))")
                                }
                                if let problem = Self.problem(key: scannedKey, value: Bytes(valueBytes)) { fail("scan: \(problem)") }
                                previous = scannedKey
                                return .next
                            }
                        }
                    }
                } catch {
                    fail("thread \(thread): \(error)")
                }
                counts.withLock { $0 = ($0.reads + reads, $0.hits + hits, $0.scans + scans, $0.scannedEntries + scannedEntries) }
            }
        }
        #expect(finished.wait(timeout: .now() + 120) == .success, "threads finish within 120 s")
        #expect(failures.withLock { $0 } == [])
        let seen = counts.withLock { $0 }
        // The checks above ran on real data: most gets hit and scans visited entries.
        #expect(seen.hits > seen.reads / 4, "\(seen.hits) of \(seen.reads) gets hit")
        #expect(seen.scannedEntries > seen.scans, "\(seen.scannedEntries) entries in \(seen.scans) scans")
        // After the threads, the point map and the sorted index hold the same keys and values.
        let scanned = try engine.entries()
        #expect(try engine.statistics().entryCount == scanned.count)
        for (key, value) in scanned {
            #expect(try engine.get(key) == value)
            #expect(Self.problem(key: key, value: value) == nil)
        }
        for index in 0..<Self.keyCount where !scanned.contains(where: { $0.key == Self.key(index) }) {
            #expect(try engine.get(Self.key(index)) == nil)
        }
    }

    @Test("point reads see a batch whole: a get after a get never sees an older batch's half")
    func pointReadsSeeBatchesWhole() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        let pairA = Bytes("pair-a".utf8)
        let pairB = Bytes("pair-b".utf8)
        let batches = 3_000
        try engine.put(pairA, encode(0))
        try engine.put(pairB, encode(0))
        let writerDone = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let checks = Atomic<Int>(0)
        let finished = DispatchGroup()
        for reader in 0..<2 {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                while true {
                    let writerWasDone = writerDone.load(ordering: .acquiring)
                    do {
                        // The writer puts both halves in one batch, B then A: reading B first, A is never older.
                        guard let b = try engine.get(pairB), let a = try engine.get(pairA) else {
                            failures.withLock { $0.append("reader \(reader): a pair key is missing") }
                            return
                        }
                        if decode(a) < decode(b) {
                            failures.withLock { $0.append("reader \(reader): pair-a \(decode(a)) older than pair-b \(decode(b))") }
                            return
                        }
                        checks.add(1, ordering: .relaxed)
                    } catch {
                        failures.withLock { $0.append("reader \(reader): \(error)") }
                        return
                    }
                    if writerWasDone { return }
                }
            }
        }
        for step in 1...UInt64(batches) {
            var batch = WriteBatch()
            batch.put(pairB, encode(step))
            // Filler keys make the batch touch more shards and sometimes grow them.
            for filler in 0..<4 { batch.put(Bytes("filler-\(step)-\(filler)".utf8), encode(step)) }
            batch.put(pairA, encode(step))
            try engine.apply(batch)
        }
        writerDone.store(true, ordering: .releasing)
        #expect(finished.wait(timeout: .now() + 60) == .success, "readers finish within 60 s")
        #expect(failures.withLock { $0 } == [])
        #expect(checks.load(ordering: .relaxed) >= 2)
        #expect(try engine.get(pairA).map(decode) == UInt64(batches))
    }
}

private func encode(_ number: UInt64) -> Bytes { withUnsafeBytes(of: number.bigEndian) { Bytes($0) } }
private func decode(_ value: Bytes) -> UInt64 { value.reduce(0) { $0 << 8 | UInt64($1) } }
