@testable import CairnBench
import Testing

/// The advice: unmeasured workloads left out, ties inside the noise, tails and disk weighed, memory apart,
/// and the ten-second summary.
@Suite("Bench: advice")
struct AdviceTests {
    static func result(
        _ engine: BenchEngine, _ workload: Workload = .readrandom, opsPerSecond: Double, operations: Int = 100_000,
        slices: [Double]? = nil, p999: Double = 10, max maxMicroseconds: Double = 100, disk: Int = 1_000_000,
        live: Int = 1_000_000
    ) -> WorkloadResult {
        WorkloadResult(
            engine: engine, workload: workload, operations: operations, seconds: Double(operations) / opsPerSecond,
            opsPerSecond: opsPerSecond, p50Microseconds: 1, p99Microseconds: 5, p999Microseconds: p999,
            maxMicroseconds: maxMicroseconds, diskBytes: engine.persists ? disk : 0, peakResidentBytes: 0,
            unexpectedResults: 0, sliceOpsPerSecond: slices, logicalBytesWritten: 0, liveLogicalBytes: live)
    }

    static func report(_ results: [WorkloadResult], section: String? = nil, variant: String? = nil) -> BenchReport {
        var workloads: [Workload] = []
        for result in results where !workloads.contains(result.workload) { workloads.append(result.workload) }
        var report = BenchReport(
            command: "cairn bench engines --keys 100000", machine: MachineInfo.current(), settings: BenchSettings(keys: 100_000),
            engines: [.memory, .lmdb, .leveldb], workloads: workloads, results: results)
        report.section = section
        report.variant = variant
        return report
    }

    @Test("a workload too short to measure is flagged and never wins, not even with 0 ops/s")
    func unmeasuredLeftOut() {
        let report = Self.report([
            Self.result(.memory, opsPerSecond: 0, operations: 0),
            Self.result(.lmdb, opsPerSecond: 5_000_000, operations: 500),
            Self.result(.leveldb, opsPerSecond: 200_000),
        ])
        let line = Advice.line(report, .readrandom)
        #expect(line.hasPrefix("readrandom: no pick, since lmdb was too short to measure and may be the fastest; measured: leveldb 200.0k ops/s; rerun with more --keys, --ops or a --duration."), "\(line)")
        #expect(!line.contains("leads") && !line.contains("memory (keeps"), "\(line)")
        #expect(line.contains("Not judged: memory only 0 operations") && line.contains("lmdb only 500 operations"))
        #expect(!line.contains("with 0 ops/s"))

        // The slowest engine is the one measured when the others finish too soon: it must not "lead".
        let slowMeasured = Self.report([
            Self.result(.lmdb, .fillrandom, opsPerSecond: 8_900, operations: 3_000),
            Self.result(.leveldb, .fillrandom, opsPerSecond: 176_000, operations: 3_000),
        ])
        let fill = Advice.line(slowMeasured, .fillrandom)
        #expect(fill.hasPrefix("fillrandom: no pick, since leveldb was too short to measure"), "\(fill)")
        #expect(fill.contains("rerun with more --keys.") && !fill.contains("--ops"), "a fill takes only --keys: \(fill)")

        // Memory too short to measure leaves the persistent engines' pick alone.
        let memoryShort = Self.report([
            Self.result(.memory, opsPerSecond: 5_000_000, operations: 500),
            Self.result(.lmdb, opsPerSecond: 100_000), Self.result(.leveldb, opsPerSecond: 50_000),
        ])
        #expect(Advice.line(memoryShort, .readrandom).hasPrefix("readrandom: lmdb leads with 100.0k ops/s (2.00× leveldb)"))
        let tables = report.textTables()
        #expect(tables.contains("warning: lmdb only 500 operations (under 1000): too few to measure; left out of the advice"))
        #expect(tables.contains("5,000,000 (!)"))

        let none = Self.report([Self.result(.lmdb, opsPerSecond: 1_000_000, operations: 50_000)])
        #expect(Advice.line(none, .readrandom).contains("no persistent engine ran long enough to measure"), "0.05 s is too short")
    }

    @Test("a difference under 10% or inside the slices' spread is a tie; a clear one is a lead")
    func ties() {
        let close = Self.report([Self.result(.lmdb, opsPerSecond: 100_000), Self.result(.leveldb, opsPerSecond: 92_000)])
        #expect(Advice.line(close, .readrandom).hasPrefix("readrandom: tie between lmdb (100.0k ops/s), leveldb (92.0k ops/s)"))

        let noisy = Self.report([
            Self.result(.lmdb, opsPerSecond: 100_000, slices: [70_000, 130_000, 100_000]),
            Self.result(.leveldb, opsPerSecond: 80_000, slices: [75_000, 85_000, 80_000]),
        ])
        #expect(Advice.isTie(noisy.results[0], noisy.results[1]), "20% apart, but lmdb's slices span 60%")
        #expect(Advice.line(noisy, .readrandom).contains("tie between") && Advice.line(noisy, .readrandom).contains("slices spread 60%"))

        let clear = Self.report([
            Self.result(.lmdb, opsPerSecond: 100_000, slices: [98_000, 102_000]),
            Self.result(.leveldb, opsPerSecond: 80_000, slices: [79_000, 81_000]),
        ])
        #expect(!Advice.isTie(clear.results[0], clear.results[1]))
        #expect(Advice.line(clear, .readrandom) == "readrandom: lmdb leads with 100.0k ops/s (1.25× leveldb).")

        // Five slices of sync writes, one stalled behind a neighbour's I/O: the stall alone makes no tie.
        let stalled = Self.report([
            Self.result(.leveldb, .overwrite, opsPerSecond: 1_300, operations: 5_000, slices: [150, 1_250, 1_300, 1_350, 1_400]),
            Self.result(.lmdb, .overwrite, opsPerSecond: 230, operations: 1_000, slices: [200, 220, 230, 240, 260]),
        ])
        #expect(stalled.results[0].sliceRange == 1_250...1_350, "the slowest and fastest of five are dropped")
        #expect(Advice.line(stalled, .overwrite).hasPrefix("overwrite: leveldb leads with 1.3k ops/s (5.65× lmdb)"))
    }

    @Test("the advice leads with persistent engines, names memory apart, and weighs tails and disk")
    func weighsMoreThanThroughput() {
        let report = Self.report([
            Self.result(.memory, .overwrite, opsPerSecond: 1_000_000, max: 255_000),
            Self.result(.lmdb, .overwrite, opsPerSecond: 100_000, p999: 30, max: 200, disk: 4_000_000),
            Self.result(.leveldb, .overwrite, opsPerSecond: 300_000, p999: 1_073, max: 5_000, disk: 1_000_000),
        ])
        let line = Advice.line(report, .overwrite)
        #expect(line.hasPrefix("overwrite: leveldb leads with 300.0k ops/s (3.00× lmdb)"), "\(line)")
        #expect(line.contains("but leveldb's p99.9 is 1073 µs against 30.0 µs for lmdb"))
        #expect(line.contains("leveldb's worst operation took 5000 µs against 200.0 µs for lmdb"))
        #expect(line.contains("memory (keeps nothing across a restart) 1.00M ops/s, 3.33× leveldb."), "\(line)")
        let memoryInNoise = Self.report([
            Self.result(.memory, .fillrandom, opsPerSecond: 3_200, slices: [2_000, 2_600, 3_200, 3_800, 4_400]),
            Self.result(.lmdb, .fillrandom, opsPerSecond: 3_600, slices: [2_800, 3_300, 3_600, 3_900, 4_400]),
        ])
        let tiedLine = Advice.line(memoryInNoise, .fillrandom)
        #expect(tiedLine.contains("memory (keeps nothing across a restart) 3.2k ops/s, 0.89× lmdb, a tie within the noise."), "\(tiedLine)")
        #expect(!line.contains("leveldb uses"), "the leader uses less disk, so disk is no caution")
        #expect(!report.chartSVG().contains("pale bars"), "every bar was measured, so the chart needs no footnote")

        let lmdbLeads = Self.report([
            Self.result(.lmdb, .overwrite, opsPerSecond: 300_000, disk: 4_000_000),
            Self.result(.leveldb, .overwrite, opsPerSecond: 100_000, disk: 1_000_000),
        ])
        #expect(Advice.line(lmdbLeads, .overwrite).contains("but lmdb uses 3.8 MiB of disk against 976.6 KiB for leveldb"))

        // Tails too short to matter are no caution, however far apart.
        let smallTails = Self.report([
            Self.result(.lmdb, .readrandom, opsPerSecond: 300_000, p999: 40, max: 900),
            Self.result(.leveldb, .readrandom, opsPerSecond: 100_000, p999: 5, max: 50),
        ])
        #expect(Advice.line(smallTails, .readrandom) == "readrandom: lmdb leads with 300.0k ops/s (3.00× leveldb).")
    }

    @Test("the ten-second summary names an engine and a figure for reads, writes, scans, disk and tails")
    func summary() throws {
        let report = Self.report([
            Self.result(.memory, .readrandom, opsPerSecond: 2_000_000, operations: 1_000_000),
            Self.result(.lmdb, .readrandom, opsPerSecond: 1_000_000, p999: 8),
            Self.result(.leveldb, .readrandom, opsPerSecond: 250_000, p999: 40, disk: 500_000),
            Self.result(.lmdb, .ycsbC, opsPerSecond: 900_000, p999: 9),
            Self.result(.leveldb, .ycsbC, opsPerSecond: 200_000, p999: 50, disk: 500_000),
            Self.result(.lmdb, .overwrite, opsPerSecond: 100_000, p999: 20),
            Self.result(.leveldb, .overwrite, opsPerSecond: 105_000, p999: 900, disk: 500_000),
        ])
        let lines = AdviceSummary.lines(report)
        #expect(lines[0].hasPrefix("Read-heavy: lmdb — 948.7k ops/s (geometric mean of readrandom, ycsb-c), 4.24× better than leveldb"), "\(lines[0])")
        #expect(lines[1].hasPrefix("Write-heavy: tie between leveldb and lmdb — 105.0k ops/s (overwrite)"), "\(lines[1])")
        #expect(lines[2] == "Scans: not measured in this run.")
        #expect(lines[3].hasPrefix("Smallest disk: leveldb — 0.50× the logical bytes"), "\(lines[3])")
        #expect(lines[4].hasPrefix("Lowest tail latency: lmdb — worst p99.9 20.0 µs over 3 workloads, 45.00× better than leveldb"), "\(lines[4])")
        try #require(lines.count == 6, "\(lines)")
        #expect(lines[5].contains("memory, which keeps nothing across a restart") && lines[5].contains("read-heavy 2.00M ops/s"))
    }

    @Test("a combined Markdown names its command, each run's settings and command, and tables a section's runs together")
    func combinedMarkdown() {
        var buffered = Self.report([Self.result(.lmdb, .fillrandom, opsPerSecond: 100_000)], section: "Buffered")
        buffered.chartPath = "results/buffered.svg"
        let small = Self.report([Self.result(.lmdb, .readrandom, opsPerSecond: 900_000)], section: "Value-size sweep", variant: "100 B")
        let large = Self.report([Self.result(.lmdb, .readrandom, opsPerSecond: 90_000, operations: 10)], section: "Value-size sweep", variant: "16 KiB")
        let markdown = BenchReport.markdown(
            [(buffered, "results/buffered.json"), (small, "results/small.json"), (large, "results/large.json")],
            chartPath: "results/chart.svg", command: "cairn bench report --json results/buffered.json --markdown BENCHMARKS.md")
        #expect(markdown.contains("```sh\ncairn bench report --json results/buffered.json --markdown BENCHMARKS.md\n```"))
        #expect(markdown.contains("## Buffered\n") && markdown.contains("## Value-size sweep\n"))
        #expect(markdown.components(separatedBy: "## Value-size sweep").count == 2, "one section for both runs")
        #expect(markdown.contains("| workload | engine | 100 B | 16 KiB |"))
        #expect(markdown.contains("| readrandom | lmdb | 900.0k · 10.0 | 90.0k · 10.0 (!) |"))
        #expect(markdown.contains("- Settings: \(buffered.settings.summary)"))
        #expect(markdown.contains("`cairn bench engines --keys 100000`"))
        #expect(markdown.contains("## In ten seconds"))
        #expect(markdown.contains("![throughput, p99.9 latency and disk, Buffered](results/buffered.svg)"), "a run's own chart is in its section")
    }
}
