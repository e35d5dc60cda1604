import CairnStorage
import Foundation
import Synchronization
import Testing

/// One writer with concurrent readers, on every engine.
@Suite("Conformance: concurrency")
struct ConcurrencyTests {
    /// Batches the writer applies while readers run.
    static let writerBatches = 400
    static let readerCount = 3

    @Test("one writer, concurrent readers see whole batches and never go back", arguments: allEngines)
    func oneWriterConcurrentReaders(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open(durability: .buffered)
        defer { try? store.close() }
        try store.put(bytes("pair-a"), encode(0))
        try store.put(bytes("pair-b"), encode(0))

        let writerDone = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let readerScans = Atomic<Int>(0)
        let finished = DispatchGroup()

        for reader in 0..<Self.readerCount {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                var lastSeen: UInt64 = 0
                while true {
                    let writerWasDone = writerDone.load(ordering: .acquiring)
                    do {
                        // A scan is one snapshot: both halves of a pair come from the same batch.
                        let pair = try store.entries(in: .prefix(bytes("pair-")))
                        guard pair.count == 2 else {
                            failures.withLock { $0.append("reader \(reader): \(pair.count) pair keys") }
                            return
                        }
                        let (a, b) = (decode(pair[0].value), decode(pair[1].value))
                        if a != b { failures.withLock { $0.append("reader \(reader): torn batch \(a) / \(b)") } }
                        if a < lastSeen { failures.withLock { $0.append("reader \(reader): went back \(lastSeen) → \(a)") } }
                        lastSeen = a
                        if let single = try store.get(bytes("pair-a")), decode(single) < lastSeen {
                            failures.withLock { $0.append("reader \(reader): get older than scan") }
                        }
                        readerScans.add(1, ordering: .relaxed)
                    } catch {
                        failures.withLock { $0.append("reader \(reader): \(error)") }
                        return
                    }
                    if writerWasDone { return }
                }
            }
        }

        for step in 1...UInt64(Self.writerBatches) {
            var batch = WriteBatch()
            batch.put(bytes("pair-a"), encode(step))
            batch.put(bytes("pair-b"), encode(step))
            batch.put(bytes("filler-\(step)"), Bytes(repeating: 1, count: 64))
            try store.apply(batch)
        }
        writerDone.store(true, ordering: .releasing)
        #expect(finished.wait(timeout: .now() + 60) == .success, "readers finish within 60 s")
        #expect(failures.withLock { $0 } == [])
        #expect(readerScans.load(ordering: .relaxed) >= Self.readerCount)
        #expect(try store.get(bytes("pair-b")).map(decode) == UInt64(Self.writerBatches))
    }
}

func encode(_ number: UInt64) -> Bytes { withUnsafeBytes(of: number.bigEndian) { Bytes($0) } }
func decode(_ value: Bytes) -> UInt64 { value.reduce(0) { $0 << 8 | UInt64($1) } }
