/// Which Cairn engine to pick for each workload, and by how much it wins.
enum Advice {
    static func lines(_ report: BenchReport) -> [String] {
        report.workloads.compactMap { workload in
            let ranked = report.engines.filter { $0.cairnKind != nil }
                .compactMap { report.result($0, workload) }
                .sorted { $0.opsPerSecond > $1.opsPerSecond }
            guard let winner = ranked.first else { return nil }
            var line = "\(workload.rawValue): \(winner.engine.rawValue) wins with \(Formatting.compact(winner.opsPerSecond)) ops/s"
            let margins = ranked.dropFirst().map { other in
                "\(Formatting.ratio(winner.opsPerSecond / max(other.opsPerSecond, 1e-9))) \(other.engine.rawValue)"
            }
            if !margins.isEmpty { line += " (" + margins.joined(separator: ", ") + ")" }
            let persistent = ranked.filter { $0.engine.cairnKind?.isPersistent == true }
            if winner.engine == .memory, persistent.count >= 1 {
                let best = persistent[0]
                line += "; if the table must persist, \(best.engine.rawValue)"
                if persistent.count > 1 {
                    line += " (\(Formatting.ratio(best.opsPerSecond / max(persistent[1].opsPerSecond, 1e-9))) \(persistent[1].engine.rawValue))"
                }
            }
            return line + "."
        }
    }
}
