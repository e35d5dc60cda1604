import Benchmark
import CairnEngines
import CairnStorage
import Foundation

/// Point operations, batches and scans on each engine: throughput, latency percentiles and malloc counts.
///
/// Every engine is loaded with `preloadedKeys` keys (16-byte keys, 100-byte values, buffered durability)
/// before its benchmarks run; each iteration touches one key (or one batch, or one scan) chosen by a counter.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )
    for kind in EngineKind.allCases {
        let fixture = EngineBenchFixture(kind)
        Benchmark("\(kind) get hit") { benchmark in
            for index in benchmark.scaledIterations {
                blackHole(try fixture.engine.withValue(forKey: fixture.key(index)) { $0?.count })
            }
        }
        Benchmark("\(kind) get miss") { benchmark in
            for index in benchmark.scaledIterations {
                blackHole(try fixture.engine.withValue(forKey: fixture.missingKey(index)) { $0?.count })
            }
        }
        Benchmark("\(kind) put") { benchmark in
            for index in benchmark.scaledIterations {
                try fixture.engine.put(fixture.key(index), fixture.value)
            }
        }
        Benchmark("\(kind) delete") { benchmark in
            for index in benchmark.scaledIterations {
                try fixture.engine.delete(fixture.key(index &+ EngineBenchFixture.preloadedKeys))
            }
        }
        Benchmark("\(kind) batch of 100 puts", configuration: .init(scalingFactor: .one)) { benchmark in
            for index in benchmark.scaledIterations {
                var batch = WriteBatch()
                for offset in 0..<100 { batch.put(fixture.key(index &* 100 &+ offset), fixture.value) }
                try fixture.engine.apply(batch)
            }
        }
        Benchmark("\(kind) scan of 100", configuration: .init(scalingFactor: .one)) { benchmark in
            for index in benchmark.scaledIterations {
                var visited = 0
                try fixture.engine.scan(KeyRange(from: fixture.key(index &* 997))) { _, _ in
                    visited += 1
                    return visited < 100 ? .next : .stop
                }
                blackHole(visited)
            }
        }
    }
}

/// One preloaded engine of a kind, in a temporary directory, with precomputed keys so the harness allocates
/// nothing per operation.
final class EngineBenchFixture: Sendable {
    static let preloadedKeys = 100_000
    let engine: any StorageEngine
    let value = Bytes(repeating: 0x61, count: 100)
    private let keys: [Bytes]
    private let missingKeys: [Bytes]

    init(_ kind: EngineKind) {
        let directory = NSTemporaryDirectory() + "cairn-microbench-\(kind)-\(UUID().uuidString.prefix(8))"
        engine = try! TableConfiguration(engine: kind, durability: .buffered).openEngine(in: directory)
        keys = (0..<Self.preloadedKeys).map { Bytes(String(format: "%016d", $0).utf8) }
        // A missing key sorts among the preloaded keys but is never written.
        missingKeys = keys.map { key in
            var missing = key
            missing[15] = UInt8(ascii: ".")
            return missing
        }
        var batch = WriteBatch()
        for key in keys {
            batch.put(key, value)
            if batch.count == 10_000 {
                try! engine.apply(batch)
                batch = WriteBatch()
            }
        }
        try! engine.apply(batch)
    }

    /// The 16-byte key of a preloaded index (taken modulo the preloaded count).
    func key(_ index: Int) -> Bytes { keys[index % Self.preloadedKeys] }

    /// A 16-byte key that is never written.
    func missingKey(_ index: Int) -> Bytes { missingKeys[index % Self.preloadedKeys] }
}
