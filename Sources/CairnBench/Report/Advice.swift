/// Which Cairn engine to pick for each workload. It leads with the engines that persist, calls a difference
/// inside the run's noise a tie, flags tails and disk use that should weigh on the choice, names memory apart,
/// and makes no pick on a workload that some persistent engine ran too briefly to measure.
enum Advice {
    /// A throughput difference below this share is a tie, whatever the slices say.
    static let tieShareMin = 0.10
    /// A winner whose p99.9 or max latency is this many times another engine's gets that said.
    static let tailRatioNotable = 2.0
    /// A winner using this many times the disk of another engine gets that said.
    static let diskRatioNotable = 1.5
    /// A p99.9 below this (in µs) is not worth a caution, whatever the ratio.
    static let p999MicrosecondsNotable = 100.0
    /// A worst single operation below this (in µs) is not worth a caution, whatever the ratio.
    static let maxMicrosecondsNotable = 1_000.0

    /// Whether `first` and `second` are indistinguishable: under `tieShareMin` apart, or apart by less than
    /// the spread of their own slices (their slice ranges overlap, or the gap is inside the larger spread).
    static func isTie(_ first: WorkloadResult, _ second: WorkloadResult) -> Bool {
        let (high, low) = first.opsPerSecond >= second.opsPerSecond ? (first, second) : (second, first)
        guard low.opsPerSecond > 0 else { return high.opsPerSecond == 0 }
        let gap = high.opsPerSecond / low.opsPerSecond - 1
        let noise = max(high.relativeSpread ?? 0, low.relativeSpread ?? 0)
        if gap < max(tieShareMin, noise) { return true }
        if let highRange = high.sliceRange, let lowRange = low.sliceRange { return highRange.lowerBound <= lowRange.upperBound }
        return false
    }

    /// The measured results of the Cairn engines that persist, fastest first.
    static func persistentRanking(_ report: BenchReport, _ workload: Workload) -> [WorkloadResult] {
        report.engines.filter { $0.cairnKind != nil && $0.persists }.compactMap { report.result($0, workload) }
            .filter(\.isMeasured).sorted { $0.opsPerSecond > $1.opsPerSecond }
    }

    /// One line of advice per workload the run chose.
    static func lines(_ report: BenchReport) -> [String] {
        report.workloads.map { line(report, $0) }
    }

    static func line(_ report: BenchReport, _ workload: Workload) -> String {
        let name = workload.rawValue
        let unmeasured = report.engines.filter { $0.cairnKind != nil }.compactMap { report.result($0, workload) }
            .filter { !$0.isMeasured }.map { "\($0.engine.rawValue) \($0.measurementProblem!)" }
        let skipped = unmeasured.isEmpty ? "" : " Not judged: " + unmeasured.joined(separator: "; ") + "."
        let ranked = persistentRanking(report, workload)
        // Fills always write --keys keys; the other workloads also take --ops or --duration.
        let rerun = workload.isFill ? "rerun with more --keys" : "rerun with more --keys, --ops or a --duration"
        guard let leader = ranked.first else {
            return "\(name): no persistent engine ran long enough to measure; \(rerun).\(skipped)"
        }
        let unjudged = report.engines.filter { $0.cairnKind != nil && $0.persists }.compactMap { report.result($0, workload) }
            .filter { !$0.isMeasured }.map(\.engine.rawValue)
        if !unjudged.isEmpty {
            // The engine that finishes soonest is the one too short to measure: ranking the rest would crown the slowest.
            return "\(name): no pick, since \(unjudged.joined(separator: " and ")) \(unjudged.count == 1 ? "was" : "were") too short "
                + "to measure and may be the fastest; measured: "
                + ranked.map { "\($0.engine.rawValue) \(Formatting.compact($0.opsPerSecond)) ops/s" }.joined(separator: ", ")
                + "; \(rerun).\(skipped)"
        }
        let tied = ranked.filter { isTie(leader, $0) }
        var text: String
        if tied.count > 1 {
            text = "\(name): tie between " + tied.map { "\($0.engine.rawValue) (\(Formatting.compact($0.opsPerSecond)) ops/s)" }
                .joined(separator: ", ") + ", within the noise"
            if let spread = tied.compactMap(\.relativeSpread).max() { text += String(format: " (slices spread %.0f%%)", spread * 100) }
        } else {
            text = "\(name): \(leader.engine.rawValue) leads with \(Formatting.compact(leader.opsPerSecond)) ops/s"
        }
        let behind = ranked.filter { !tied.contains($0) }
        if !behind.isEmpty {
            text += " (" + behind.map { "\(Formatting.ratio(leader.opsPerSecond / max($0.opsPerSecond, 1e-9))) \($0.engine.rawValue)" }
                .joined(separator: ", ") + ")"
        }
        text += cautions(leader: leader, others: Array(ranked.dropFirst()))
        if let memory = report.result(.memory, workload), memory.isMeasured {
            text += "; memory (keeps nothing across a restart) \(Formatting.compact(memory.opsPerSecond)) ops/s, "
            text += "\(Formatting.ratio(memory.opsPerSecond / max(leader.opsPerSecond, 1e-9))) \(leader.engine.rawValue)"
            if memory.opsPerSecond != leader.opsPerSecond, isTie(memory, leader) { text += ", a tie within the noise" }
        }
        return text + "." + skipped
    }

    /// What should weigh against the leader: a much longer p99.9 or max latency, or much more disk.
    static func cautions(leader: WorkloadResult, others: [WorkloadResult]) -> String {
        var notes: [String] = []
        let name = leader.engine.rawValue
        if let calm = others.min(by: { $0.p999Microseconds < $1.p999Microseconds }),
            leader.p999Microseconds >= p999MicrosecondsNotable, leader.p999Microseconds > tailRatioNotable * calm.p999Microseconds
        {
            notes.append("\(name)'s p99.9 is \(Formatting.micros(leader.p999Microseconds)) µs against \(Formatting.micros(calm.p999Microseconds)) µs for \(calm.engine.rawValue)")
        }
        if let calm = others.min(by: { $0.maxMicroseconds < $1.maxMicroseconds }),
            leader.maxMicroseconds >= maxMicrosecondsNotable, leader.maxMicroseconds > tailRatioNotable * calm.maxMicroseconds
        {
            notes.append("\(name)'s worst operation took \(Formatting.micros(leader.maxMicroseconds)) µs against \(Formatting.micros(calm.maxMicroseconds)) µs for \(calm.engine.rawValue)")
        }
        if let small = others.filter({ $0.diskBytes > 0 }).min(by: { $0.diskBytes < $1.diskBytes }),
            Double(leader.diskBytes) > diskRatioNotable * Double(small.diskBytes)
        {
            notes.append("\(name) uses \(Formatting.bytes(leader.diskBytes)) of disk against \(Formatting.bytes(small.diskBytes)) for \(small.engine.rawValue)")
        }
        return notes.isEmpty ? "" : "; but " + notes.joined(separator: ", and ")
    }
}
