@testable import CairnBench
import CairnStorage
import Foundation
import Testing

/// Generated values (random per key, settable compressibility) and the amplification and threshold arithmetic.
@Suite("Bench: values, amplification, measurement thresholds")
struct ValueAndAmplificationTests {
    /// Share of a value's 8-byte windows seen for the first time: near 1 for random bytes, near the
    /// compression ratio for db_bench-style values (the repeated half of each piece repeats earlier windows).
    static func distinctWindowShare(_ value: Bytes) -> Double {
        var seen = Set<UInt64>()
        let windows = value.count - 7
        for start in 0..<windows {
            var word: UInt64 = 0
            for byte in value[start..<(start + 8)] { word = word << 8 | UInt64(byte) }
            seen.insert(word)
        }
        return Double(seen.count) / Double(windows)
    }

    @Test("values follow the compression ratio", arguments: [(0.5, 0.42...0.62), (1.0, 0.95...1.0), (0.2, 0.15...0.32)])
    func compressibility(ratio: Double, expected: ClosedRange<Double>) {
        let source = ValueSource(valueSize: 16_384, compressionRatio: ratio, seed: 1)
        var value = Bytes()
        source.fill(&value, index: 7, step: 0)
        #expect(value.count == 16_384)
        #expect(expected.contains(Self.distinctWindowShare(value)), "ratio \(ratio): \(Self.distinctWindowShare(value))")
    }

    @Test("values differ per key and per write, and repeat for a seed")
    func randomPerKey() {
        let source = ValueSource(valueSize: 100, compressionRatio: 0.5, seed: 42)
        var first = Bytes(), second = Bytes(), rewrite = Bytes(), again = Bytes()
        source.fill(&first, index: 1, step: 0)
        source.fill(&second, index: 2, step: 0)
        source.fill(&rewrite, index: 1, step: 1)
        ValueSource(valueSize: 100, compressionRatio: 0.5, seed: 42).fill(&again, index: 1, step: 0)
        #expect(first != second && first != rewrite)
        #expect(first == again)
        // The old harness wrote one pattern for every key; a thousand keys now give a thousand values.
        let distinct = Set((0..<1_000).map { index -> Bytes in
            var value = Bytes()
            source.fill(&value, index: index, step: 0)
            return value
        })
        #expect(distinct.count == 1_000)
    }

    @Test("the largest values fit the pool")
    func largeValues() {
        let source = ValueSource(valueSize: 256 << 10, compressionRatio: 0.5, seed: 3)
        var value = Bytes()
        for index in 0..<50 { source.fill(&value, index: index, step: index) }
        #expect(value.count == 256 << 10)
        #expect(source.pool.count >= 3 * (256 << 10))
    }

    static func result(
        _ engine: BenchEngine = .lmdb, operations: Int = 10_000, seconds: Double = 1, disk: Int = 0,
        logical: Int? = nil, live: Int? = nil, device: Int? = nil, slices: [Double]? = nil
    ) -> WorkloadResult {
        WorkloadResult(
            engine: engine, workload: .fillrandom, operations: operations, seconds: seconds,
            opsPerSecond: Double(operations) / seconds, p50Microseconds: 1, p99Microseconds: 2, p999Microseconds: 3,
            maxMicroseconds: 4, diskBytes: disk, peakResidentBytes: 0, unexpectedResults: 0, sliceOpsPerSecond: slices,
            logicalBytesWritten: logical, liveLogicalBytes: live, deviceBytesWritten: device)
    }

    @Test("space and write amplification divide disk and device bytes by logical bytes")
    func amplification() {
        let lmdb = Self.result(disk: 3_000, logical: 1_000, live: 1_500, device: 4_500)
        #expect(lmdb.spaceAmplification == 2.0)
        #expect(lmdb.writeAmplification == 4.5)
        var called = lmdb
        called.syscallBytesWritten = 2_000
        #expect(called.syscallWriteAmplification == 2.0)
        #expect(lmdb.syscallWriteAmplification == nil, "unknown when not measured")
        #expect(Self.result(disk: 3_000, logical: 0, live: nil, device: 10).spaceAmplification == nil)
        #expect(Self.result(disk: 3_000, logical: 0, live: nil, device: 10).writeAmplification == nil, "nothing written")
        #expect(Self.result(.memory, disk: 0, logical: 100, live: 100, device: 0).writeAmplification == nil, "memory has no disk")
        #expect(Self.result(.memory, disk: 0, logical: 100, live: 100, device: 0).spaceAmplification == nil)
    }

    @Test("the device bytes come from write_bytes of /proc/self/io")
    func procIO() throws {
        let text = "rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 81920\ncancelled_write_bytes: 0\n"
        #expect(Measurement.ioField("write_bytes", in: text) == 81_920)
        #expect(Measurement.ioField("read_bytes", in: text) == 4_096)
        #expect(Measurement.ioField("missing", in: text) == nil)
        #expect(Measurement.deviceBytesWritten() != nil, "Linux reports write_bytes for this process")
        let before = try #require(Measurement.syscallBytesWritten())
        let path = NSTemporaryDirectory() + "/cairn-wchar-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 7, count: 10_000).write(to: URL(fileURLWithPath: path))
        #expect(try #require(Measurement.syscallBytesWritten()) - before >= 10_000, "wchar counts this process's write calls")
    }

    @Test("a workload with too few operations or too short a run is flagged; spread is the slices' range")
    func thresholds() {
        #expect(Self.result(operations: WorkloadResult.measuredOperationsMin - 1).measurementProblem?.contains("too few") == true)
        #expect(Self.result(seconds: WorkloadResult.measuredSecondsMin / 2).measurementProblem?.contains("too short") == true)
        #expect(Self.result(operations: WorkloadResult.measuredOperationsMin, seconds: WorkloadResult.measuredSecondsMin).isMeasured)
        let sliced = Self.result(operations: 10_000, seconds: 1, slices: [9_000, 11_000, 10_000, 0])
        #expect(sliced.sliceRange == 9_000...11_000, "empty slices do not count")
        #expect(abs(sliced.relativeSpread! - 0.2) < 1e-12)
        #expect(Self.result(slices: [10_000]).relativeSpread == nil, "one slice has no spread")
        let five = Self.result(operations: 10_000, seconds: 1, slices: [1_000, 9_500, 10_000, 10_500, 30_000])
        #expect(five.sliceRange == 9_500...10_500 && abs(five.relativeSpread! - 0.1) < 1e-12, "five slices drop their extremes")
    }
}
