@testable import CairnBench
import CairnTestSupport
import Foundation
import Testing

/// A small comparison run, in process, over every engine and workload.
@Suite("Bench: engine comparison run")
struct EngineRunTests {
    static let settings = BenchSettings(keys: 600, keySize: 12, valueSize: 32, operations: 400)

    @Test("every engine runs every workload with the expected operation counts and read results")
    func smallRun() throws {
        let directory = TemporaryDirectory()
        var results: [WorkloadResult] = []
        for engine in BenchEngine.allCases {
            results += try EngineRun(engine: engine, settings: Self.settings, dataDirectory: directory.child(engine.rawValue)) { _ in }
                .run(Set(Workload.allCases))
            #expect(!FileManager.default.fileExists(atPath: directory.child(engine.rawValue)), "the run removes its data")
        }
        #expect(results.count == BenchEngine.allCases.count * Workload.allCases.count)
        for result in results {
            #expect(result.operations == (result.workload.isFill ? 600 : 400), "\(result.engine) \(result.workload)")
            #expect(result.unexpectedResults == 0, "\(result.engine) \(result.workload)")
            #expect(result.opsPerSecond > 0 && result.p50Microseconds <= result.p99Microseconds)
            #expect(result.p99Microseconds <= result.p999Microseconds && result.p999Microseconds <= result.maxMicroseconds)
            if result.engine != .memory, result.workload == .readrandom { #expect(result.diskBytes > 0) }
        }

        let report = BenchReport(
            command: "cairn bench engines", machine: MachineInfo.current(), settings: Self.settings,
            engines: BenchEngine.allCases, workloads: Workload.allCases, results: results)
        let json = try JSONSerialization.jsonObject(with: try report.json()) as? [String: Any]
        let rows = try #require(json?["results"] as? [[String: Any]])
        #expect(rows.count == results.count)
        for field in ["engine", "workload", "ops_per_sec", "p50_us", "p99_us", "p999_us", "disk_bytes"] {
            #expect(rows.allSatisfy { $0[field] != nil }, "every result has \(field)")
        }
        #expect(Set(rows.compactMap { $0["engine"] as? String }) == ["memory", "lmdb", "leveldb", "rocksdb", "raw-lmdb", "raw-leveldb", "raw-rocksdb"])

        let ratio = try #require(report.ratioToRaw(.lmdb, .readrandom))
        let lmdb = try #require(report.result(.lmdb, .readrandom))
        let raw = try #require(report.result(.rawLMDB, .readrandom))
        #expect(abs(ratio - lmdb.opsPerSecond / raw.opsPerSecond) < 1e-9)
        #expect(report.ratioToRaw(.memory, .readrandom) == nil)

        let svg = report.chartSVG()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        for engine in BenchEngine.allCases where engine.cairnKind != nil { #expect(svg.contains(">\(engine.rawValue)")) }
        #expect(!svg.contains("raw-lmdb") && !svg.contains("raw-leveldb"), "raw C baselines are in the ratio section, not the chart")
        #expect(svg.contains("p99.9 latency") && svg.contains("bytes on disk"))
        #expect(svg.contains(SVGChart.escape(SVGChart.unmeasuredFootnote)), "a 600-key run's pale (!) bars are explained")
        let advice = report.advice()
        #expect(advice.count == Workload.allCases.count)
        // A 600-key run is too short to measure: the advice says so instead of naming a winner.
        #expect(advice.allSatisfy { $0.contains("no persistent engine ran long enough to measure") }, "\(advice)")
        let tables = report.textTables()
        #expect(tables.contains("× raw-lmdb") && tables.contains("× raw-leveldb") && tables.contains("× raw-rocksdb"))
        let markdown = report.markdown(chartPath: "engines.svg", jsonPath: "engines.json")
        #expect(markdown.contains("](engines.svg)"))
        #expect(markdown.contains("| readrandom |"))
    }

    @Test("a run refuses a directory it did not create and leaves the files in it", arguments: [BenchEngine.lmdb, .leveldb])
    func existingDirectoryKept(engine: BenchEngine) throws {
        let directory = TemporaryDirectory()
        let userFile = directory.child("lmdb/notes.txt")
        try FileManager.default.createDirectory(atPath: directory.child("lmdb"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: userFile))
        #expect(throws: (any Error).self) {
            try EngineRun(engine: engine, settings: Self.settings, dataDirectory: directory.child("lmdb")) { _ in }
                .run([.fillrandom])
        }
        #expect(throws: (any Error).self) {
            try PairedRun(engine: engine, settings: Self.settings, dataDirectory: directory.child("lmdb"), slices: 1) { _ in }
                .run([.fillrandom])
        }
        #expect(try String(contentsOfFile: userFile, encoding: .utf8) == "mine", "the user's file survives")
    }

    @Test("side-by-side runs alternate uneven slices that together cover every key", arguments: [BenchEngine.lmdb, .leveldb, .rocksdb])
    func pairedRun(engine: BenchEngine) throws {
        let directory = TemporaryDirectory()
        let settings = BenchSettings(keys: 601, keySize: 12, valueSize: 32, threads: 2, operations: 303)
        // PairedRun throws when a read misses, so a clean readrandom proves the sliced fill wrote every key.
        let ratios = try PairedRun(engine: engine, settings: settings, dataDirectory: directory.child("pair"), slices: 7) { _ in }
            .run([.fillrandom, .overwrite, .readrandom])
        #expect(ratios.map(\.workload) == [.fillrandom, .overwrite, .readrandom])
        #expect(ratios.allSatisfy { $0.baseline == engine.rawBaseline && $0.slices == 7 && $0.ratio > 0 })
        #expect(ratios.allSatisfy { abs($0.ratio - $0.engineOpsPerSecond / $0.baselineOpsPerSecond) < 1e-9 })
        #expect(!FileManager.default.fileExists(atPath: directory.child("pair")), "the run removes its data")
    }
}

/// Batched fills under sync durability, reopen time and device bytes, in small in-process runs.
@Suite("Bench: durable fills, reopen, amplification")
struct DurableRunTests {
    @Test("a batched sync fill writes every key, reports reopen time and write bytes", arguments: [BenchEngine.lmdb, .leveldb])
    func batchedSyncFill(engine: BenchEngine) throws {
        let directory = TemporaryDirectory()
        let settings = BenchSettings(
            keys: 2_000, keySize: 12, valueSize: 200, durability: .sync, operations: 300, fillBatch: 100, slices: 3)
        let results = try EngineRun(engine: engine, settings: settings, dataDirectory: directory.child("run")) { _ in }
            .run([.fillrandom, .readrandom])
        let fill = try #require(results.first { $0.workload == .fillrandom })
        let read = try #require(results.first { $0.workload == .readrandom })
        #expect(fill.operations == 2_000 && read.unexpectedResults == 0, "the batches wrote every key")
        #expect(fill.logicalBytesWritten == 2_000 * 212)
        #expect(fill.liveLogicalBytes == 2_000 * 212)
        #expect((fill.reopenSeconds ?? -1) >= 0, "a persistent fill is reopened and timed")
        #expect(read.reopenSeconds == nil)
        #expect((fill.deviceBytesWritten ?? 0) >= 2_000 * 100, "synced values reach the device, compressed at most to half")
        #expect((fill.writeAmplification ?? 0) > 0.4)
        #expect(read.writeAmplification == nil, "a read-only workload has no write amplification")
        #expect(fill.sliceOpsPerSecond?.count == 3)
    }

    @Test("memory is not reopened; raw baselines refuse batches with a clear error")
    func memoryAndRaw() throws {
        let directory = TemporaryDirectory()
        let settings = BenchSettings(keys: 500, keySize: 12, valueSize: 32, fillBatch: 10, slices: 2)
        let results = try EngineRun(engine: .memory, settings: settings, dataDirectory: directory.child("memory")) { _ in }
            .run([.fillseq])
        #expect(results.count == 1 && results[0].reopenSeconds == nil && results[0].operations == 500)
        #expect(settings.problem(engines: [.lmdb, .rawLMDB])?.contains("raw-lmdb takes no batches") == true)
        #expect(settings.problem(engines: [.memory, .lmdb, .leveldb]) == nil)
        #expect(throws: RawEngineError.self) {
            try EngineRun(engine: .rawLevelDB, settings: settings, dataDirectory: directory.child("raw")) { _ in }.run([.fillseq])
        }
        #expect(BenchEngine.group(named: "cairn") == BenchEngine.allCases.filter { $0.cairnKind != nil })
        #expect(BenchEngine.group(named: "raw")?.contains(.rawLMDB) == true && BenchEngine.group(named: "lmdb") == nil)
        let machine = MachineInfo.current()
        #expect(machine.rocksdbVersion?.range(of: #"^RocksDB \d+\.\d+"#, options: .regularExpression) != nil, "\(machine.summary)")
        #expect(machine.summary.contains("; \(machine.rocksdbVersion ?? "RocksDB"); "), "the summary names RocksDB's version")
        var saved = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(machine)) as! [String: Any]
        saved["rocksdbVersion"] = nil
        let old = try JSONDecoder().decode(MachineInfo.self, from: try JSONSerialization.data(withJSONObject: saved))
        #expect(old.rocksdbVersion == nil && !old.summary.contains("RocksDB"), "runs saved before RocksDB still load")
        #expect(BenchEngine.groupNames.allSatisfy { BenchEngine.group(named: $0) != nil }, "every group name the errors list is known")
    }
}

/// Timed runs that would end under the measurement floor.
@Suite("Bench: timed runs reach the measurement floor")
struct TimedRunTests {
    @Test("a timed workload runs on past its duration until it has done measuredOperationsMin operations")
    func overtime() throws {
        let directory = TemporaryDirectory()
        let settings = BenchSettings(keys: 300, keySize: 12, valueSize: 32, threads: 2, durationSeconds: 0.000_001, slices: 3)
        let results = try EngineRun(engine: .memory, settings: settings, dataDirectory: directory.child("run")) { _ in }
            .run([.readrandom])
        #expect(results[0].operations >= WorkloadResult.measuredOperationsMin, "\(results[0].operations) operations")
        #expect(results[0].operations < 10 * WorkloadResult.measuredOperationsMin, "it stops soon after the floor")
    }
}
