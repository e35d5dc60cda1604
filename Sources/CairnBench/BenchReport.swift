import Foundation

/// A whole comparison run: what ran, where, and every result. Its JSON form has a top-level `results` array.
public struct BenchReport: Codable, Sendable {
    public var command: String
    public var generatedAt: String
    public var machine: MachineInfo
    public var settings: BenchSettings
    public var engines: [BenchEngine]
    public var workloads: [Workload]
    public var results: [WorkloadResult]
    /// Cairn engines against raw C, measured side by side in alternating slices (see `PairedRun`).
    public var ratios: [PairedRatio]
    /// Wall-clock seconds the whole comparison took, when known.
    public var elapsedSeconds: Double?
    /// The section of a combined report (BENCHMARKS.md) this run belongs to, e.g. "Sync durability".
    public var section: String?
    /// What sets this run apart from the others of its section, e.g. "16 KiB values" or "2 threads".
    public var variant: String?
    /// The SVG chart the run wrote, as given to `--chart`; a Markdown report shows it in the run's section.
    public var chartPath: String?

    public init(
        command: String, machine: MachineInfo, settings: BenchSettings, engines: [BenchEngine],
        workloads: [Workload], results: [WorkloadResult], ratios: [PairedRatio] = []
    ) {
        self.command = command
        self.generatedAt = ISO8601DateFormatter().string(from: Date())
        self.machine = machine
        self.settings = settings
        self.engines = engines
        self.workloads = workloads
        self.results = results
        self.ratios = ratios
    }

    public func result(_ engine: BenchEngine, _ workload: Workload) -> WorkloadResult? {
        results.first { $0.engine == engine && $0.workload == workload }
    }

    /// The side-by-side ratio of `engine` to raw C on `workload`, when the paired phase measured it.
    public func pairedRatio(_ engine: BenchEngine, _ workload: Workload) -> PairedRatio? {
        ratios.first { $0.engine == engine && $0.workload == workload }
    }

    /// `engine`'s throughput as a share of its raw C baseline's on `workload`, from the single runs.
    public func ratioToRaw(_ engine: BenchEngine, _ workload: Workload) -> Double? {
        guard let raw = engine.rawBaseline, let mine = result(engine, workload), let base = result(raw, workload),
            base.opsPerSecond > 0
        else { return nil }
        return mine.opsPerSecond / base.opsPerSecond
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

extension BenchReport {
    /// The aligned text tables, one per workload, then the side-by-side ratios.
    public func textTables() -> String { ResultTable.text(self) + MarkdownReport.pairedLines(self) }
    /// One line of advice per workload.
    public func advice() -> [String] { Advice.lines(self) }
    /// The ten-second summary: the engine and figure for reads, writes, scans, disk and tail latency.
    public func adviceSummary() -> [String] { AdviceSummary.lines(self) }
    /// What the durability of this run means for the figures, and how each engine syncs.
    public func durabilityNote() -> String { MarkdownReport.durabilityNote(self) }
    /// The self-contained SVG chart.
    public func chartSVG() -> String {
        SVGChart.render(self, title: "Cairn engines — \(Formatting.count(Double(settings.keys))) keys, \(settings.valueSize)-byte values, \(settings.durability) durability")
    }
    /// The Markdown report of this run alone.
    public func markdown(chartPath: String?, jsonPath: String?) -> String {
        MarkdownReport.document([(self, jsonPath)], chartPath: chartPath, command: command)
    }

    /// One Markdown document (BENCHMARKS.md) over several runs, each with the JSON file it came from; runs that
    /// share a `section` are combined into one table. `command` is the command that assembled it.
    public static func markdown(_ runs: [(report: BenchReport, jsonPath: String?)], chartPath: String?, command: String) -> String {
        MarkdownReport.document(runs, chartPath: chartPath, command: command)
    }
}
