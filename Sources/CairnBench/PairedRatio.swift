import CairnStorage
import Foundation

/// A Cairn engine's throughput as a share of its raw C baseline's, measured side by side in one process.
public struct PairedRatio: Codable, Sendable, Equatable {
    public var engine: BenchEngine
    public var baseline: BenchEngine
    public var workload: Workload
    /// engine ops/s ÷ baseline ops/s over all slices.
    public var ratio: Double
    public var engineOpsPerSecond: Double
    public var baselineOpsPerSecond: Double
    public var slices: Int

    enum CodingKeys: String, CodingKey {
        case engine, baseline, workload, ratio, slices
        case engineOpsPerSecond = "engine_ops_per_sec"
        case baselineOpsPerSecond = "baseline_ops_per_sec"
    }
}

/// Measures a Cairn engine against its raw C baseline by running the same workloads on both in alternating
/// slices within one process, so drift in the machine's speed (other tenants, frequency, page cache) hits both
/// alike. Before each slice the run waits (untimed) until background threads are quiet, so LevelDB compactions
/// one side caused do not slow the other; the ratio therefore compares foreground work only. A single
/// back-to-back run on a shared 2-core VM varies by ±20%; alternating slices keep the ratio within a few percent.
public struct PairedRun {
    public let engine: BenchEngine
    public let settings: BenchSettings
    public let dataDirectory: String
    public let slices: Int
    public let progress: @Sendable (String) -> Void

    /// The workloads a paired run measures: point puts and gets.
    public static let workloads: [Workload] = [.fillrandom, .overwrite, .readrandom]
    public static let defaultSlices = 10
    /// Most alternating slices a side-by-side run may take (each slice runs both sides once).
    public static let slicesMax = 1_000
    /// Longest wait for background work to finish before a slice starts.
    static let quietSecondsMax = 3.0

    public init(
        engine: BenchEngine, settings: BenchSettings, dataDirectory: String, slices: Int = PairedRun.defaultSlices,
        progress: @escaping @Sendable (String) -> Void
    ) {
        precondition(engine.rawBaseline != nil, "only engines with a raw C baseline are paired")
        precondition((1...Self.slicesMax).contains(slices), "between 1 and slicesMax slices")
        self.engine = engine
        self.settings = settings
        self.dataDirectory = dataDirectory
        self.slices = slices
        self.progress = progress
    }

    public func run(_ workloads: Set<Workload>) throws -> [PairedRatio] {
        guard let baseline = engine.rawBaseline else { return [] }
        let pair = [engine, baseline]
        let directories = pair.map { dataDirectory + "/" + $0.rawValue }
        // The run removes its directory at the end, so it runs only in one it creates (never in an existing one).
        try DirectoryCheck.createFresh(dataDirectory)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        for directory in directories { try DirectoryCheck.createFresh(directory) }
        let targets = try zip(pair, directories).map { try $0.open(in: $1, durability: settings.durability) }
        defer { for target in targets { try? target.close() } }
        let runners = zip(pair, targets).map {
            WorkloadRunner(engine: $0, target: $1, settings: settings, progress: { _ in })
        }
        var chosen = Workload.canonicalOrder(workloads)
        if !chosen.contains(where: \.isFill) { chosen.insert(.fillrandom, at: 0) }
        var ratios: [PairedRatio] = []
        for workload in chosen {
            var operations = [0, 0]
            var seconds = [0.0, 0.0]
            for index in 0..<slices {
                // Alternate who goes first, so neither always runs on a warmer machine.
                for side in index % 2 == 0 ? [0, 1] : [1, 0] {
                    // Background work one side left behind (LevelDB compactions) must not run in the other's slice.
                    Measurement.waitForQuiet(secondsMax: Self.quietSecondsMax)
                    let result = try runners[side].run(
                        workload, directory: directories[side], slice: WorkloadRunner.Slice(index: index, count: slices))
                    guard result.unexpectedResults == 0 else {
                        throw RawEngineError(description: "\(pair[side].rawValue) \(workload.rawValue): \(result.unexpectedResults) unexpected read results")
                    }
                    operations[side] += result.operations
                    seconds[side] += result.seconds
                }
            }
            let rates = (0..<2).map { Double(operations[$0]) / max(seconds[$0], 1e-9) }
            let ratio = PairedRatio(
                engine: engine, baseline: baseline, workload: workload, ratio: rates[0] / max(rates[1], 1e-9),
                engineOpsPerSecond: rates[0], baselineOpsPerSecond: rates[1], slices: slices)
            progress("  \(engine.rawValue) vs \(baseline.rawValue) \(workload.rawValue): \(String(format: "%.2f", ratio.ratio))× (\(Int(rates[0])) vs \(Int(rates[1])) ops/s)")
            if workloads.contains(workload) { ratios.append(ratio) }
        }
        return ratios
    }
}
