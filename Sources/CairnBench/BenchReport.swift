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
    /// The self-contained SVG chart.
    public func chartSVG() -> String {
        SVGChart.render(self, title: "Cairn engines vs raw C — \(Formatting.count(Double(settings.keys))) keys, \(settings.valueSize)-byte values, \(settings.durability)")
    }
    /// The Markdown report (BENCHMARKS.md).
    public func markdown(chartPath: String?, jsonPath: String?) -> String {
        MarkdownReport.render(self, chartPath: chartPath, jsonPath: jsonPath)
    }
}
