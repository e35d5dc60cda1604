import CairnStorage
import Foundation

/// Runs the chosen workloads on one engine, in canonical order, each table starting in a fresh directory.
///
/// Fill workloads start from an empty table; the others run on the table the last fill left (or on one the
/// run loads first, untimed, when no fill was chosen), and `deleterandom` runs last.
public struct EngineRun {
    public let engine: BenchEngine
    public let settings: BenchSettings
    public let dataDirectory: String
    public let progress: @Sendable (String) -> Void

    public init(
        engine: BenchEngine, settings: BenchSettings, dataDirectory: String,
        progress: @escaping @Sendable (String) -> Void
    ) {
        self.engine = engine
        self.settings = settings
        self.dataDirectory = dataDirectory
        self.progress = progress
    }

    /// Runs `workloads` inside `dataDirectory`, which it creates (its parent must exist; an existing directory is
    /// refused) and removes at the end: it deletes nothing it did not create.
    public func run(_ workloads: Set<Workload>) throws -> [WorkloadResult] {
        try DirectoryCheck.createFresh(dataDirectory)
        var results: [WorkloadResult] = []
        var open: (target: any BenchTarget, runner: WorkloadRunner, directory: String)?
        defer {
            if let open { try? open.target.close() }
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
        for workload in Workload.canonicalOrder(workloads) {
            if workload.isFill || open == nil {
                if let previous = open {
                    try previous.target.close()
                    try? FileManager.default.removeItem(atPath: previous.directory)
                }
                let directory = dataDirectory + "/" + (workload.isFill ? workload.rawValue : "load")
                // One level, no parents: once the run's directory is gone (a signal's cleanup) nothing recreates it.
                try DirectoryCheck.createFresh(directory)
                let target = try engine.open(in: directory, durability: settings.durability)
                let runner = WorkloadRunner(engine: engine, target: target, settings: settings, progress: progress)
                open = (target, runner, directory)
                if !workload.isFill {
                    progress("  \(engine.rawValue): loading \(settings.keys) keys (untimed) for \(workload.rawValue)")
                    _ = try runner.run(.fillrandom, directory: directory)
                }
            }
            guard let (_, runner, directory) = open else { preconditionFailure("a target is open") }
            let result = try runner.run(workload, directory: directory)
            progress(
                "  \(engine.rawValue) \(workload.rawValue): \(Int(result.opsPerSecond)) ops/s, p99 \(result.p99Microseconds) µs"
                    + (result.unexpectedResults > 0 ? ", \(result.unexpectedResults) UNEXPECTED results" : ""))
            results.append(result)
        }
        return results
    }
}
