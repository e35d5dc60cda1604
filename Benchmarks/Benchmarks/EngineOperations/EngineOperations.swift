import Benchmark
import CairnEngines
import CairnStorage
import Foundation

/// Point operations, batches and scans on each engine: throughput, latency percentiles and malloc counts.
///
/// Each benchmark opens its own engine in its setup, loaded with `preloadedKeys` keys (16-byte keys, 100-byte
/// values, buffered durability), and closes it and removes its directory in its teardown, so a run leaves no
/// files behind. A counter runs across iterations; point operations touch the preloaded keys in a scattered
/// order it gives (so no engine gains from neighbouring keys in its cache), batches and scan starts follow it.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )
    for kind in EngineKind.allCases {
        let loaded = EngineBenchFixture(kind, preloaded: true)
        func preloaded(
            _ name: String, configuration: Benchmark.Configuration = Benchmark.defaultConfiguration,
            _ body: @escaping (Benchmark, any StorageEngine) throws -> Void
        ) {
            Benchmark(
                "\(kind) \(name)", configuration: configuration,
                closure: { benchmark in try body(benchmark, loaded.engine) },
                setup: { try loaded.open() }, teardown: { try loaded.close() })
        }
        preloaded("get hit") { benchmark, engine in
            for index in keyIndices(benchmark) {
                blackHole(try engine.withValue(forKey: EngineBenchFixture.scatteredKey(index)) { $0?.count })
            }
        }
        preloaded("get miss") { benchmark, engine in
            for index in keyIndices(benchmark) {
                blackHole(try engine.withValue(forKey: EngineBenchFixture.scatteredKey(index, missing: true)) { $0?.count })
            }
        }
        preloaded("put") { benchmark, engine in
            for index in keyIndices(benchmark) {
                try engine.put(EngineBenchFixture.scatteredKey(index), EngineBenchFixture.value)
            }
        }
        preloaded("delete") { benchmark, engine in
            for index in keyIndices(benchmark) {
                try engine.delete(EngineBenchFixture.scatteredKey(index))
            }
        }
        preloaded("batch of 100 puts", configuration: .init(scalingFactor: .one)) { benchmark, engine in
            for index in keyIndices(benchmark) {
                var batch = WriteBatch()
                for offset in 0..<100 { batch.put(EngineBenchFixture.key(index &* 100 &+ offset), EngineBenchFixture.value) }
                try engine.apply(batch)
            }
        }
        preloaded("scan of 100", configuration: .init(scalingFactor: .one)) { benchmark, engine in
            for index in keyIndices(benchmark) {
                var visited = 0
                try engine.scan(KeyRange(from: EngineBenchFixture.key(index &* 997))) { _, _ in
                    visited += 1
                    return visited < 100 ? .next : .stop
                }
                blackHole(visited)
            }
        }
        // One put per iteration into a table that starts empty and grows to up to a million keys, so p100 shows
        // the worst single insert (a whole-table rehash or resize would stand out there).
        insertAscending(kind, metrics: [.throughput, .wallClock])
        // The same inserts, each also timed by the thread's own CPU clock, so a worst wall time can be told apart:
        // the engine working (CPU time as long) or the thread off the processor (CPU time short). Memory only: the
        // other engines also wait on I/O, which this clock does not count.
        if kind == .memory { insertAscending(kind, metrics: [.wallClock, threadCPUMetric], timingThreadCPU: true) }
    }
}

/// One put per iteration into a table that starts empty, keys in ascending order, up to
/// `EngineBenchFixture.ascendingKeysMax` of them; with `timingThreadCPU`, each put's thread CPU time is recorded
/// as `threadCPUMetric` too.
func insertAscending(_ kind: EngineKind, metrics: [BenchmarkMetric], timingThreadCPU: Bool = false) {
    let empty = EngineBenchFixture(kind, preloaded: false)
    Benchmark(
        "\(kind) insert ascending into empty table" + (timingThreadCPU ? ", thread CPU time" : ""),
        configuration: .init(
            // Timing each put's CPU time too roughly halves the rate, so that variant gets longer to reach
            // `ascendingKeysMax` keys.
            metrics: metrics, scalingFactor: .one, maxDuration: .seconds(timingThreadCPU ? 12 : 5),
            maxIterations: EngineBenchFixture.ascendingKeysMax),
        closure: { benchmark in
            let engine = empty.engine
            var key = Bytes(repeating: UInt8(ascii: "0"), count: 16)
            for index in keyIndices(benchmark) {
                EngineBenchFixture.writeDecimal(index, into: &key)
                let start = timingThreadCPU ? threadCPUNanoseconds() : 0
                try engine.put(key, EngineBenchFixture.value)
                if timingThreadCPU { benchmark.measurement(threadCPUMetric, threadCPUNanoseconds() - start) }
            }
        },
        setup: { try empty.open() }, teardown: { try empty.close() })
}

/// CPU time the calling thread used in one operation, in nanoseconds.
let threadCPUMetric = BenchmarkMetric.custom("Thread CPU (ns)", polarity: .prefersSmaller, useScalingFactor: false)

/// The CPU time the calling thread has used so far, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
func threadCPUNanoseconds() -> Int {
    var time = timespec()
    let result = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    precondition(result == 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed")
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

/// The key indices of one benchmark iteration: `scaledIterations` moved on by the iteration number, so
/// successive iterations touch successive keys instead of the same few (which would stay in the cache).
func keyIndices(_ benchmark: Benchmark) -> Range<Int> {
    let count = benchmark.scaledIterations.count
    let first = benchmark.currentIteration &* count
    return first..<(first + count)
}
