/// The Markdown tables that span runs or engines: ratios to raw C per workload, a sweep's runs side by side,
/// and write and space amplification with reopen time.
enum MarkdownTables {
    /// Each Cairn engine with a baseline in the run, as a share of it per workload, with the baselines' ops/s.
    static func singleRunRatios(_ report: BenchReport) -> String {
        let engines = report.engines.filter { $0.rawBaseline.map(report.engines.contains) ?? false }
        guard !engines.isEmpty else { return "" }
        let baselines = engines.compactMap(\.rawBaseline)
        var out = "\n### Per workload, from the single runs\n\n"
        out += "Each engine ran in its own process, one after the other; on a shared VM these vary by ±20% between "
        out += "runs, so read them as rough. The baselines' own ops/s follow the ratios.\n\n"
        out += "| workload | " + engines.map { "\($0.rawValue) / \($0.rawBaseline!.rawValue)" }.joined(separator: " | ")
        out += " | " + baselines.map { "\($0.rawValue) ops/s" }.joined(separator: " | ") + " |\n"
        out += "|---|" + (engines + baselines).map { _ in "---:|" }.joined() + "\n"
        for workload in report.workloads {
            let ratios = engines.map { report.ratioToRaw($0, workload).map(Formatting.ratio) ?? "-" }
            let rates = baselines.map { engine in
                report.result(engine, workload).map { Formatting.count($0.opsPerSecond) + ($0.isMeasured ? "" : ResultTable.unmeasuredMark) } ?? "-"
            }
            out += "| \(workload.rawValue) | " + (ratios + rates).joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Runs of one section (a value-size sweep, thread counts) side by side: per workload and engine, ops/s and
    /// p99.9 in each run, then each run's advice.
    static func sweep(_ runs: [MarkdownReport.Run]) -> String {
        let reports = runs.map(\.report)
        let first = reports[0]
        var out = "\n## \(MarkdownReport.title(first))\n\n"
        out += "- Settings of the first run: \(first.settings.summary), seed \(first.settings.seed)\n"
        for (report, jsonPath) in runs {
            out += "- \(report.variant ?? "run"): `\(report.command)`"
            out += report.elapsedSeconds.map { " in " + Formatting.seconds($0) } ?? ""
            out += jsonPath.map { "; [`\(MarkdownReport.fileName($0))`](\($0))" } ?? ""
            out += "\n"
        }
        out += "\n\(first.durabilityNote())\n\nEach cell is ops/s, then p99.9 latency in µs; (!) marks a run too short to measure.\n\n"
        let names = reports.enumerated().map { $1.variant ?? "run \($0 + 1)" }
        out += "| workload | engine | " + names.joined(separator: " | ") + " |\n|---|---|" + names.map { _ in "---:|" }.joined() + "\n"
        var workloads: [Workload] = []
        for report in reports { workloads += report.workloads.filter { !workloads.contains($0) } }
        var engines: [BenchEngine] = []
        for report in reports { engines += report.engines.filter { $0.cairnKind != nil && !engines.contains($0) } }
        for workload in Workload.canonicalOrder(Set(workloads)) {
            for engine in engines {
                let cells = reports.map { report in
                    report.result(engine, workload).map { result in
                        Formatting.compact(result.opsPerSecond) + " · " + Formatting.micros(result.p999Microseconds)
                            + (result.isMeasured ? "" : ResultTable.unmeasuredMark)
                    } ?? "-"
                }
                guard cells.contains(where: { $0 != "-" }) else { continue }
                out += "| \(workload.rawValue) | \(engine.rawValue) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        out += "\n### Advice per run\n"
        for (index, report) in reports.enumerated() {
            out += "\n\(names[index]):\n\n" + report.advice().map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        return out
    }

    /// Per run and persistent engine: space amplification after the fill, write amplification of the fill and
    /// of overwrite, and the time to reopen after the fill.
    static func amplification(_ reports: [BenchReport]) -> String {
        let fills: [Workload] = [.fillrandom, .fillseq]
        let rows = reports.flatMap { report in
            report.engines.filter(\.persists).compactMap { engine -> String? in
                guard let fill = fills.lazy.compactMap({ report.result(engine, $0) }).first else { return nil }
                let overwrite = report.result(engine, .overwrite)
                func both(_ result: WorkloadResult?) -> String {
                    guard let result, let device = result.writeAmplification else { return "-" }
                    return Formatting.ratio(device) + " (" + (result.syscallWriteAmplification.map(Formatting.ratio) ?? "-") + ")"
                }
                let cells = [
                    MarkdownReport.title(report), engine.rawValue, fill.workload.rawValue,
                    fill.spaceAmplification.map(Formatting.ratio) ?? "-", both(fill), both(overwrite),
                    fill.reopenSeconds.map(Formatting.seconds) ?? "-",
                ]
                return "| " + cells.joined(separator: " | ") + " |"
            }
        }
        guard !rows.isEmpty else { return "" }
        var out = "\n## Write and space amplification, reopen time\n\n"
        out += "Space amp is bytes on disk ÷ logical key and value bytes after the fill. Write amp is bytes written to the "
        out += "storage layer (`write_bytes`) ÷ logical bytes written, the fill's and then overwrite's; in brackets, bytes "
        out += "passed to write calls (`wchar`) ÷ the same. The kernel counts `write_bytes` per page-cache folio turned "
        out += "dirty: under buffered durability the page cache merges rewrites of a page, under sync each commit dirties "
        out += "its pages again, and on kernels with large folios (6.x) a small write into a large folio counts the whole "
        out += "folio; the bracketed figure is what the engine asked to write, before the page cache merges or rounds it. "
        out += "Reopen is closing and opening the table after the fill.\n\n"
        out += "| section | engine | fill | space amp | write amp, fill (calls) | write amp, overwrite (calls) | reopen |\n"
        out += "|---|---|---|---:|---:|---:|---:|\n"
        return out + rows.joined(separator: "\n") + "\n"
    }
}
