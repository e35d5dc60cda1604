/// The per-workload text tables `cairn bench engines` prints, and their Markdown twins.
enum ResultTable {
    static let columns = [
        "engine", "ops/s", "spread", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "disk", "space amp", "write amp",
        "reopen", "peak RSS", "vs raw C",
    ]
    /// Marks the ops/s of a workload too short to measure; a warning under the table says why.
    static let unmeasuredMark = " (!)"

    static func rows(_ report: BenchReport, _ workload: Workload) -> [[String]] {
        report.engines.compactMap { engine in
            guard let result = report.result(engine, workload) else { return nil }
            let ratio = report.ratioToRaw(engine, workload).map { "\(Formatting.ratio($0)) \(engine.rawBaseline!.rawValue)" }
            return [
                engine.rawValue, Formatting.count(result.opsPerSecond) + (result.isMeasured ? "" : unmeasuredMark),
                result.relativeSpread.map { Formatting.percent($0) } ?? "-",
                Formatting.micros(result.p50Microseconds), Formatting.micros(result.p99Microseconds),
                Formatting.micros(result.p999Microseconds), Formatting.micros(result.maxMicroseconds),
                engine.persists ? Formatting.bytes(result.diskBytes) : "-",
                result.spaceAmplification.map(Formatting.ratio) ?? "-", result.writeAmplification.map(Formatting.ratio) ?? "-",
                result.reopenSeconds.map(Formatting.seconds) ?? "-",
                Formatting.bytes(result.peakResidentBytes), ratio ?? (engine.cairnKind == nil ? "baseline" : "-"),
            ]
        }
    }

    /// One line per result that cannot be trusted: too short to measure, or reads that went wrong.
    static func warnings(_ report: BenchReport, _ workload: Workload) -> [String] {
        report.engines.compactMap { report.result($0, workload) }.flatMap { result -> [String] in
            var lines: [String] = []
            if let problem = result.measurementProblem {
                lines.append("warning: \(result.engine.rawValue) \(problem); left out of the advice")
            }
            if result.unexpectedResults > 0 {
                lines.append("warning: \(result.engine.rawValue) gave \(result.unexpectedResults) unexpected read results")
            }
            return lines
        }
    }

    /// Aligned plain-text tables, one per workload.
    static func text(_ report: BenchReport) -> String {
        var out = ""
        for workload in report.workloads {
            let rows = rows(report, workload)
            guard !rows.isEmpty else { continue }
            let widths = columns.indices.map { column in ([columns] + rows).map { $0[column].count }.max() ?? 0 }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { Formatting.pad($1, widths[$0], right: $0 > 0 && $0 < columns.count - 1) }
                    .joined(separator: "  ")
            }
            out += "\n\(workload.rawValue): \(workload.summary)\n" + line(columns) + "\n"
            out += rows.map(line).joined(separator: "\n") + "\n"
            out += warnings(report, workload).map { "  \($0)\n" }.joined()
        }
        return out
    }

    /// Markdown tables, one per workload.
    static func markdown(_ report: BenchReport, heading: String = "###") -> String {
        var out = ""
        for workload in report.workloads {
            let rows = rows(report, workload)
            guard !rows.isEmpty else { continue }
            out += "\n\(heading) \(workload.rawValue)\n\n\(workload.summary).\n\n"
            out += "| " + columns.joined(separator: " | ") + " |\n"
            out += "|" + columns.indices.map { $0 == 0 ? "---|" : "---:|" }.joined() + "\n"
            out += rows.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
            let warnings = warnings(report, workload)
            if !warnings.isEmpty { out += "\n" + warnings.map { "> \($0)" }.joined(separator: "\\\n") + "\n" }
        }
        return out
    }
}
