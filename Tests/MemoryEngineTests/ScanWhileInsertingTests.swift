import CairnCore
import CairnStorage
import Foundation
import Synchronization
import Testing

@testable import MemoryEngine

/// YCSB E's shape on the memory engine: scanners run while a writer appends keys in order and overwrites older
/// ones. Each scan must see a snapshot: from its start key, the keys present at one instant, with no gap.
@Suite("Memory engine: scans while inserting")
struct ScanWhileInsertingTests {
    static let keyCount = 12_000
    static let scannerCount = 2
    static let scanLimit = 60

    static func key(_ index: Int) -> Bytes { Bytes(String(format: "scan-%08d", index).utf8) }
    static func index(of key: Bytes) -> Int? { Int(String(decoding: key.dropFirst(5), as: UTF8.self)) }
    /// A value naming its key, of a length that changes with `version`, so overwrites both fit in place and not.
    static func value(_ index: Int, version: Int) -> Bytes {
        Bytes("\(index):\(version):".utf8) + Bytes(repeating: UInt8(truncatingIfNeeded: version), count: (version * 37) % 200)
    }

    @Test("scans during ascending inserts and overwrites see gap-free runs of whole values")
    func scansSeeGapFreeRuns() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        try engine.put(Self.key(0), Self.value(0, version: 0))
        let inserted = Atomic<Int>(1)
        let writerDone = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let scansRun = Atomic<Int>(0)
        let finished = DispatchGroup()
        @Sendable func fail(_ message: String) { failures.withLock { if $0.count < 20 { $0.append(message) } } }

        for scanner in 0..<Self.scannerCount {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                var random = SplitMix64(seed: 77 + UInt64(scanner))
                while !writerDone.load(ordering: .acquiring) {
                    let before = inserted.load(ordering: .acquiring)
                    let start = random.next(below: before)
                    var expected = start
                    do {
                        try engine.scan(KeyRange(from: Self.key(start))) { key, value in
                            let key = Bytes(key)
                            guard let index = Self.index(of: key), index == expected else {
                                fail("scan from \(start): \(String(decoding: key, as: UTF8.self)) where \(expected) was due")
                                return .stop
                            }
                            let header = Bytes("\(index):".utf8)
                            if Bytes(value.prefix(header.count)) != header { fail("scan: value of \(index) is not its own") }
                            expected += 1
                            return expected - start < Self.scanLimit ? .next : .stop
                        }
                    } catch {
                        fail("scanner \(scanner): \(error)")
                        return
                    }
                    let after = inserted.load(ordering: .acquiring)
                    // A short scan ended at the snapshot's last key: one present between the scan's start and end.
                    if expected - start < Self.scanLimit, !(before...(after + 1)).contains(expected) {
                        fail("scan from \(start) ended at \(expected), outside \(before)...\(after + 1)")
                    }
                    scansRun.add(1, ordering: .relaxed)
                }
            }
        }
        var random = SplitMix64(seed: 5)
        for index in 1..<Self.keyCount {
            try engine.put(Self.key(index), Self.value(index, version: 0))
            inserted.store(index + 1, ordering: .releasing)
            if index % 4 == 0 {
                let older = random.next(below: index)
                try engine.put(Self.key(older), Self.value(older, version: index))
            }
        }
        writerDone.store(true, ordering: .releasing)
        #expect(finished.wait(timeout: .now() + 120) == .success, "scanners finish within 120 s")
        #expect(failures.withLock { $0 } == [])
        #expect(scansRun.load(ordering: .relaxed) > Self.scannerCount, "scans ran alongside the writer")
        let all = try engine.entries()
        #expect(all.map(\.key) == (0..<Self.keyCount).map(Self.key))
        #expect(try engine.statistics().entryCount == Self.keyCount)
    }
}
