import Foundation

/// The ten-second summary that ends the advice: for reads, writes, scans, disk and tail latency, the persistent
/// engine to pick and the figure behind it; ties (under `Advice.tieShareMin`) name every engine in them.
enum AdviceSummary {
    /// An engine's figure in one line of the summary, and the noise of the runs behind it (median slice spread).
    struct Score {
        let engine: BenchEngine
        let value: Double
        var noise = 0.0
    }

    /// A kind of use and the workloads that stand for it.
    struct Category {
        let name: String
        let workloads: [Workload]
    }

    static let throughputCategories = [
        Category(name: "Read-heavy", workloads: [.readrandom, .readmissing, .ycsbB, .ycsbC, .ycsbD]),
        Category(name: "Write-heavy", workloads: [.fillseq, .fillrandom, .overwrite, .ycsbA, .ycsbF, .deleterandom]),
        Category(name: "Scans", workloads: [.readseq, .ycsbE]),
    ]

    static func lines(_ report: BenchReport) -> [String] {
        let persistent = report.engines.filter { $0.cairnKind != nil && $0.persists }
        var out = throughputCategories.map { throughputLine(report, $0, engines: persistent) }
        out.append(diskLine(report, engines: persistent))
        out.append(tailLine(report, engines: persistent))
        if report.engines.contains(.memory) {
            let figures = throughputCategories.compactMap { category -> String? in
                guard let mean = geometricMean(report, .memory, workloadsMeasuredByAll(report, category.workloads, [.memory])) else {
                    return nil
                }
                return "\(category.name.lowercased()) \(Formatting.compact(mean)) ops/s"
            }
            if !figures.isEmpty {
                out.append("Data you can lose (a cache): memory, which keeps nothing across a restart — " + figures.joined(separator: ", ") + ".")
            }
        }
        return out
    }

    /// The workloads of `workloads` that every engine of `engines` ran long enough to measure.
    static func workloadsMeasuredByAll(_ report: BenchReport, _ workloads: [Workload], _ engines: [BenchEngine]) -> [Workload] {
        workloads.filter { workload in
            report.workloads.contains(workload) && engines.allSatisfy { report.result($0, workload)?.isMeasured == true }
        }
    }

    /// The middle value (the upper of the two middle ones), or 0 for none.
    static func median(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.sorted()[values.count / 2]
    }

    static func geometricMean(_ report: BenchReport, _ engine: BenchEngine, _ workloads: [Workload]) -> Double? {
        let rates = workloads.compactMap { report.result(engine, $0)?.opsPerSecond }.filter { $0 > 0 }
        guard !rates.isEmpty, rates.count == workloads.count else { return nil }
        return exp(rates.map(log).reduce(0, +) / Double(rates.count))
    }

    static func throughputLine(_ report: BenchReport, _ category: Category, engines: [BenchEngine]) -> String {
        let workloads = workloadsMeasuredByAll(report, category.workloads, engines)
        let scored = engines.compactMap { engine in
            geometricMean(report, engine, workloads).map { mean in
                Score(engine: engine, value: mean, noise: median(workloads.compactMap { report.result(engine, $0)?.relativeSpread }))
            }
        }.sorted { $0.value > $1.value }
        guard let best = scored.first else { return "\(category.name): not measured in this run." }
        let basis = workloads.count == 1 ? workloads[0].rawValue : "geometric mean of " + workloads.map(\.rawValue).joined(separator: ", ")
        return pick(category.name, scored, higherIsBetter: true) + " — \(Formatting.compact(best.value)) ops/s (\(basis))"
            + runnerUp(scored, higherIsBetter: true) + "."
    }

    /// Smallest disk: the lowest median space amplification over the run's workloads.
    static func diskLine(_ report: BenchReport, engines: [BenchEngine]) -> String {
        let scored = engines.compactMap { engine -> Score? in
            let values = report.workloads.compactMap { report.result(engine, $0)?.spaceAmplification }
            return values.isEmpty ? nil : Score(engine: engine, value: median(values))
        }.sorted { $0.value < $1.value }
        guard let best = scored.first else { return "Smallest disk: not measured in this run." }
        return pick("Smallest disk", scored, higherIsBetter: false)
            + String(format: " — %.2f× the logical bytes of its keys and values on disk (median over workloads)", best.value)
            + runnerUp(scored, higherIsBetter: false) + "."
    }

    /// Lowest tail latency: the smallest worst p99.9 over the workloads every engine measured.
    static func tailLine(_ report: BenchReport, engines: [BenchEngine]) -> String {
        let workloads = workloadsMeasuredByAll(report, Workload.allCases, engines)
        let scored = engines.compactMap { engine -> Score? in
            workloads.compactMap { report.result(engine, $0)?.p999Microseconds }.max().map { Score(engine: engine, value: $0) }
        }.sorted { $0.value < $1.value }
        guard let best = scored.first else { return "Lowest tail latency: not measured in this run." }
        return pick("Lowest tail latency", scored, higherIsBetter: false)
            + " — worst p99.9 \(Formatting.micros(best.value)) µs over \(workloads.count == 1 ? workloads[0].rawValue : "\(workloads.count) workloads")"
            + runnerUp(scored, higherIsBetter: false) + "."
    }

    /// "Category: engine", or "Category: tie between a and b" for the engines within the tie margin of the best.
    static func pick(_ name: String, _ scored: [Score], higherIsBetter: Bool) -> String {
        let tied = scored.filter { isTie(scored[0], $0, higherIsBetter: higherIsBetter) }
        if tied.count > 1 { return "\(name): tie between " + tied.map(\.engine.rawValue).joined(separator: " and ") }
        return "\(name): \(scored[0].engine.rawValue)"
    }

    /// How far ahead the pick is of the best engine outside the tie.
    static func runnerUp(_ scored: [Score], higherIsBetter: Bool) -> String {
        guard let best = scored.first, let next = scored.first(where: { !isTie(best, $0, higherIsBetter: higherIsBetter) })
        else { return "" }
        let factor = higherIsBetter ? best.value / max(next.value, 1e-12) : next.value / max(best.value, 1e-12)
        return ", \(Formatting.ratio(factor)) better than \(next.engine.rawValue)"
    }

    /// Whether `other` is within `Advice.tieShareMin`, or within either's noise, of `best`.
    static func isTie(_ best: Score, _ other: Score, higherIsBetter: Bool) -> Bool {
        let (high, low) = higherIsBetter ? (best.value, other.value) : (other.value, best.value)
        guard low > 0 else { return high == 0 }
        return high / low - 1 < max(Advice.tieShareMin, best.noise, other.noise)
    }
}
