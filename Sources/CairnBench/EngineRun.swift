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

    /// Longest untimed wait, after each workload, for the background work it left (LevelDB's compactions) to
    /// finish, so the bytes that work writes count toward the workload that caused them.
    static let quietSecondsMax = 10.0

    /// Runs `workloads` inside `dataDirectory`, which it creates (its parent must exist; an existing directory is
    /// refused) and removes at the end: it deletes nothing it did not create.
    public func run(_ workloads: Set<Workload>) throws -> [WorkloadResult] {
        if settings.fillBatch > 1, !engine.takesBatches {
            throw RawEngineError(description: "\(engine.rawValue) takes no batches; run it with --fill-batch 1")
        }
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
                    Measurement.waitForQuiet(secondsMax: Self.quietSecondsMax)
                    if engine.persists { Measurement.flushDirtyPages() }
                }
            }
            if settings.coldReads, !workload.isFill, engine.persists, let (target, _, directory) = open {
                try target.close()
                PageCache.evict(directory: directory)
                let reopened = try engine.open(in: directory, durability: settings.durability)
                open = (reopened, WorkloadRunner(engine: engine, target: reopened, settings: settings, progress: progress), directory)
            }
            guard let (target, runner, directory) = open else { preconditionFailure("a target is open") }
            let writtenBefore = Measurement.deviceBytesWritten()
            let calledBefore = Measurement.syscallBytesWritten()
            var result = try runner.runSliced(workload, directory: directory)
            Measurement.waitForQuiet(secondsMax: Self.quietSecondsMax)
            if engine.persists { Measurement.flushDirtyPages() }
            if let before = calledBefore, let after = Measurement.syscallBytesWritten() {
                result.syscallBytesWritten = after - before
            }
            if let before = writtenBefore, let after = Measurement.deviceBytesWritten() {
                result.deviceBytesWritten = after - before
                result.diskBytes = engine == .memory ? 0 : DirectoryCheck.bytesOnDisk(directory)
            }
            if workload.isFill, engine.persists {
                let (reopened, seconds) = try reopen(target, in: directory)
                result.reopenSeconds = seconds
                let runner = WorkloadRunner(engine: engine, target: reopened, settings: settings, progress: progress)
                open = (reopened, runner, directory)
            }
            progress(
                "  \(engine.rawValue) \(workload.rawValue): \(Int(result.opsPerSecond)) ops/s, p99 \(result.p99Microseconds) µs"
                    + (result.reopenSeconds.map { String(format: ", reopen %.3f s", $0) } ?? "")
                    + (result.unexpectedResults > 0 ? ", \(result.unexpectedResults) UNEXPECTED results" : ""))
            results.append(result)
        }
        return results
    }

    /// Closes `target` and opens its table again, timing the reopen.
    private func reopen(_ target: any BenchTarget, in directory: String) throws -> (any BenchTarget, seconds: Double) {
        try target.close()
        let started = Measurement.nanoseconds()
        let reopened = try engine.open(in: directory, durability: settings.durability)
        return (reopened, Double(Measurement.nanoseconds() - started) / 1e9)
    }
}
