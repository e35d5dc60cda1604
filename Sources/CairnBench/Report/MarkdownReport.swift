/// BENCHMARKS.md: one document over one or several runs — how it was made, the ten-second summary, the ratios
/// to raw C, then a section per run (or per group of runs sharing a section name), amplification and reopen.
enum MarkdownReport {
    typealias Run = (report: BenchReport, jsonPath: String?)

    static func document(_ runs: [Run], chartPath: String?, command: String) -> String {
        precondition(!runs.isEmpty, "a report covers at least one run")
        let first = runs[0].report
        var out = """
            # Engine comparison

            Generated on \(first.generatedAt) on \(first.machine.summary). This page was assembled by

            ```sh
            \(command)
            ```

            (`Benchmarks/compare-engines.sh` makes BENCHMARKS.md with one `cairn bench report` over its sections' runs.)

            Values are random per key with db_bench's compressibility (`--compression-ratio`). Each workload runs in \
            consecutive slices; **spread** is the range of their throughputs (from five slices, second-slowest to \
            second-fastest) ÷ ops/s, the run's own noise, and the advice \
            calls a difference inside it, or under \(Int(Advice.tieShareMin * 100))%, a tie. A workload under \
            \(Formatting.count(Double(WorkloadResult.measuredOperationsMin))) operations or \(WorkloadResult.measuredSecondsMin) s \
            is marked (!) and left out of the advice. **space amp** is bytes on disk ÷ the logical bytes of the keys and \
            values in the table; **write amp** is bytes the engine's process wrote to the storage layer (`write_bytes` \
            of `/proc/self/io`, background compaction included) ÷ the logical bytes the workload wrote; **reopen** is \
            the time to close and open the table after the fill.

            """
        out += runTimes(runs)
        out += "\n## In ten seconds\n\n"
        out += "From the \(title(first)) section (\(first.settings.durability) durability); the engines that persist first, memory apart.\n\n"
        out += first.adviceSummary().map { "- \($0)" }.joined(separator: "\n") + "\n"
        if let chartPath {
            out += "\n![throughput, p99.9 latency and disk per workload and Cairn engine, \(title(first))](\(chartPath))\n"
        }
        if let paired = runs.first(where: { !$0.report.ratios.isEmpty || $0.report.engines.contains { $0.cairnKind == nil } }) {
            out += ratioSummary(paired.report)
        }
        for group in grouped(runs) {
            out += group.count == 1 ? section(group[0]) : MarkdownTables.sweep(group)
        }
        out += MarkdownTables.amplification(runs.map(\.report).filter { $0.variant == nil })
        return out
    }

    /// The section name of a run: its `section`, or its durability.
    static func title(_ report: BenchReport) -> String { report.section ?? "\(report.settings.durability) durability" }

    /// Consecutive runs with the same section name, in order.
    static func grouped(_ runs: [Run]) -> [[Run]] {
        var groups: [[Run]] = []
        for run in runs {
            if let last = groups.last?.last, last.report.section != nil, last.report.section == run.report.section {
                groups[groups.count - 1].append(run)
            } else {
                groups.append([run])
            }
        }
        return groups
    }

    /// How long each run took, and the command that made it.
    static func runTimes(_ runs: [Run]) -> String {
        var out = "\n| section | run | took | command |\n|---|---|---:|---|\n"
        for (report, jsonPath) in runs {
            let took = report.elapsedSeconds.map { Formatting.seconds($0) } ?? "-"
            let name = report.variant ?? jsonPath.map { "[\(fileName($0))](\($0))" } ?? "-"
            out += "| \(title(report)) | \(name) | \(took) | `\(report.command)` |\n"
        }
        let total = runs.compactMap(\.report.elapsedSeconds).reduce(0, +)
        if total > 0 { out += "\nThe runs took \(Formatting.seconds(total)) in all, building aside.\n" }
        return out
    }

    static func fileName(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }

    /// What the run's durability means, and how each of its engines syncs under sync durability.
    static func durabilityNote(_ report: BenchReport) -> String {
        let engines = report.engines.filter { $0.cairnKind != nil || report.settings.durability == .sync }
        if report.settings.durability == .buffered {
            return "Buffered durability: a write is acknowledged once in the engine's memory or the page cache; "
                + "a crash of the machine may lose the last writes. Tables default to sync durability."
        }
        var out = "Sync durability, the default of every table: a write is acknowledged only once it is on disk. "
        if report.settings.fillBatch > 1 {
            out += "The fills group \(Formatting.count(Double(report.settings.fillBatch))) puts per atomic batch (one commit); "
            out += "every other write is its own commit. "
        }
        out += "How each engine syncs: " + engines.map { "`\($0.rawValue)`: \($0.syncMethod)" }.joined(separator: "; ") + "."
        return out
    }

    /// One run as a section: settings, durability, advice and its summary, then a table per workload.
    static func section(_ run: Run) -> String {
        let report = run.report
        var out = "\n## \(title(report))\(report.variant.map { ", \($0)" } ?? "")\n\n"
        out += "- Settings: \(report.settings.summary), seed \(report.settings.seed)\n"
        out += "- Engines: \(report.engines.map(\.rawValue).joined(separator: ", "))\n"
        out += "- Made by `\(report.command)`\(report.elapsedSeconds.map { " in " + Formatting.seconds($0) } ?? "")"
        out += run.jsonPath.map { "; raw figures in [`\(fileName($0))`](\($0))" } ?? ""
        out += "\n\n\(durabilityNote(report))\n"
        if let chart = report.chartPath { out += "\n![throughput, p99.9 latency and disk, \(title(report))](\(chart))\n" }
        out += "\n### Advice\n\n"
        out += report.advice().map { "- \($0)" }.joined(separator: "\n") + "\n\nIn short:\n\n"
        out += report.adviceSummary().map { "- \($0)" }.joined(separator: "\n") + "\n"
        out += "\n### Results per workload\n\nLatencies are per operation (per entry for `readseq`, per scan for the "
        out += "scans of `ycsb-e`, per batch for fills in batches); peak RSS is the benchmark process's high-water mark.\n"
        out += ResultTable.markdown(report, heading: "####")
        return out
    }

    /// Each Cairn engine's throughput as a share of raw C (side by side, then per workload from the single runs),
    /// and the raw C baselines' own figures.
    static func ratioSummary(_ report: BenchReport) -> String {
        var out = "\n## Cairn engines as a ratio of raw C (\(report.settings.durability) durability)\n\n"
        out += "The raw C baselines call the C libraries directly from a small C target (`Benchmarks/RawC`) with the same "
        out += "options as Cairn's engines, driven by the same harness, so a ratio is the cost of Cairn's Swift wrapper.\n"
        if !report.ratios.isEmpty {
            out += "\nMeasured side by side: the Swift engine and its raw C baseline run the same workload in one process, "
            out += "in \(report.ratios[0].slices) alternating slices, so drift in the machine's speed hits both alike. "
            out += "Point put is `fillrandom` and `overwrite`, point get is `readrandom`; the target is at least 0.95×.\n\n"
            out += "| engine | workload | Swift ops/s | raw C ops/s | ratio |\n|---|---|---:|---:|---:|\n"
            for ratio in report.ratios {
                out += "| \(ratio.engine.rawValue) | \(ratio.workload.rawValue) | \(Formatting.count(ratio.engineOpsPerSecond)) "
                out += "| \(Formatting.count(ratio.baselineOpsPerSecond)) | \(Formatting.ratio(ratio.ratio)) |\n"
            }
        }
        out += MarkdownTables.singleRunRatios(report)
        return out
    }

    /// The side-by-side ratios as plain text lines.
    static func pairedLines(_ report: BenchReport) -> String {
        guard !report.ratios.isEmpty else { return "" }
        var out = "\nSide by side with raw C (\(report.ratios[0].slices) alternating slices):\n"
        for ratio in report.ratios {
            out += "  \(ratio.engine.rawValue) / \(ratio.baseline.rawValue) \(ratio.workload.rawValue): \(Formatting.ratio(ratio.ratio))"
            out += " (\(Formatting.count(ratio.engineOpsPerSecond)) vs \(Formatting.count(ratio.baselineOpsPerSecond)) ops/s)\n"
        }
        return out
    }
}
