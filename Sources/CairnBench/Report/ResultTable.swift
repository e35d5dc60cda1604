/// The per-workload text tables `cairn bench engines` prints, and their Markdown twins.
enum ResultTable {
    static let columns = ["engine", "ops/s", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "disk", "peak RSS", "vs raw C"]

    static func rows(_ report: BenchReport, _ workload: Workload) -> [[String]] {
        report.engines.compactMap { engine in
            guard let result = report.result(engine, workload) else { return nil }
            let ratio = report.ratioToRaw(engine, workload).map { "\(Formatting.ratio($0)) \(engine.rawBaseline!.rawValue)" }
            return [
                engine.rawValue, Formatting.count(result.opsPerSecond), Formatting.micros(result.p50Microseconds),
                Formatting.micros(result.p99Microseconds), Formatting.micros(result.p999Microseconds),
                Formatting.micros(result.maxMicroseconds), Formatting.bytes(result.diskBytes),
                Formatting.bytes(result.peakResidentBytes), ratio ?? (engine.cairnKind == nil ? "baseline" : "-"),
            ]
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
                cells.enumerated().map { Formatting.pad($1, widths[$0], right: $0 > 0 && $0 < 8) }.joined(separator: "  ")
            }
            out += "\n\(workload.rawValue): \(workload.summary)\n" + line(columns) + "\n"
            out += rows.map(line).joined(separator: "\n") + "\n"
            for engine in report.engines {
                if let unexpected = report.result(engine, workload)?.unexpectedResults, unexpected > 0 {
                    out += "  warning: \(engine.rawValue) gave \(unexpected) unexpected read results\n"
                }
            }
        }
        return out
    }

    /// Markdown tables, one per workload.
    static func markdown(_ report: BenchReport) -> String {
        var out = ""
        for workload in report.workloads {
            let rows = rows(report, workload)
            guard !rows.isEmpty else { continue }
            out += "\n### \(workload.rawValue)\n\n\(workload.summary).\n\n"
            out += "| " + columns.joined(separator: " | ") + " |\n"
            out += "|" + columns.indices.map { $0 == 0 ? "---|" : "---:|" }.joined() + "\n"
            out += rows.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
        }
        return out
    }
}
