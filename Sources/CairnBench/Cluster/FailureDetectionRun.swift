import CairnCore
import CairnMembership
import Foundation

/// Settings of `cairn bench detection`: cluster sizes, seeds, the lossy network and the detector's own settings.
public struct DetectionBenchSettings: Sendable {
    public var nodeCounts: [Int] = [5, 100]
    public var seeds = 20
    public var firstSeed: UInt64 = 1
    public var network = SimulatedNetwork(lossRate: 0.05, delayMinMilliseconds: 5, delayJitterMilliseconds: 45)
    /// Virtual time before the crash, so every detector has settled into its probe rounds.
    public var warmupMilliseconds: UInt64 = 20_000
    /// A crash not seen as dead by every node this long after it counts as undetected.
    public var detectionLimitMilliseconds: UInt64 = 600_000
    /// Virtual minutes per seed of the run with no crash, where every suspicion is false.
    public var quietMinutes = 10
    public var detector = FailureDetector.Settings()

    public init() {}

    /// A problem with these settings, in one line, or nil.
    public var problem: String? {
        if nodeCounts.isEmpty || nodeCounts.contains(where: { !(2...2_000).contains($0) }) { return "node counts must be within 2…2000" }
        if !(1...10_000).contains(seeds) { return "seeds (\(seeds)) must be within 1…10000" }
        if !(0...10_000).contains(quietMinutes) { return "quiet minutes (\(quietMinutes)) must be within 0…10000" }
        if let problem = network.problem { return problem }
        do { try detector.check() } catch { return error.description }
        return nil
    }
}

/// What one cluster size measured over every seed.
public struct DetectionResult: Sendable {
    public var nodeCount: Int
    /// Per detected seed: from the crash to the first node suspecting the crashed one, in milliseconds.
    public var firstSuspicionMilliseconds: [UInt64] = []
    /// Per detected seed: from the crash to the last live node marking it dead, in milliseconds.
    public var allDeadMilliseconds: [UInt64] = []
    /// Seeds whose crash was not seen as dead by every node within the limit.
    public var undetectedSeeds = 0
    /// Live nodes some node declared dead, over all runs (crash and quiet): each one is a false death.
    public var falseDeaths = 0
    /// The quiet runs: node-hours of virtual time, direct probes started, and probes that failed, each of which
    /// raised (or confirmed) a suspicion of a live node.
    public var quietNodeHours = 0.0
    public var quietProbes = 0
    public var quietFailedProbes = 0
    /// Times some node's view turned a live node suspect in the quiet runs (spread suspicions included).
    public var quietSuspectViews = 0
    public var quietMessages = 0
}

/// The failure-detection benchmark: for each cluster size and seed, crash one node after a warm-up and time
/// its detection; then run the same lossy network with no crash and count the suspicions, all of them false.
public enum FailureDetectionRun {
    public static func run(_ settings: DetectionBenchSettings, progress: (String) -> Void = { _ in }) throws -> [DetectionResult] {
        if let problem = settings.problem { throw FailureDetectionError.settingInvalid(problem) }
        var results: [DetectionResult] = []
        for nodeCount in settings.nodeCounts {
            var result = DetectionResult(nodeCount: nodeCount)
            for seed in settings.firstSeed..<(settings.firstSeed + UInt64(settings.seeds)) {
                try measureCrash(nodeCount: nodeCount, seed: seed, settings: settings, into: &result)
                try measureQuiet(nodeCount: nodeCount, seed: seed, settings: settings, into: &result)
            }
            progress("\(nodeCount) nodes: \(settings.seeds) seeds done")
            results.append(result)
        }
        return results
    }

    /// Crashes a seeded choice of node after the warm-up; records when it was first suspected and when the last
    /// live node saw it dead.
    static func measureCrash(nodeCount: Int, seed: UInt64, settings: DetectionBenchSettings, into result: inout DetectionResult) throws {
        var simulation = try DetectorSimulation(nodeCount: nodeCount, settings: settings.detector, network: settings.network, seed: seed)
        simulation.run(untilMilliseconds: settings.warmupMilliseconds)
        var choice = SplitMix64(seed: ~seed)
        let victim = simulation.nodes[choice.next(below: nodeCount)]
        let crashedAt = simulation.now
        simulation.crash(victim)
        let detected = simulation.run(untilMilliseconds: crashedAt + settings.detectionLimitMilliseconds, stepMilliseconds: 1_000) {
            $0.allLiveNodesSee(victim, as: .dead)
        }
        let afterCrash = simulation.observations.filter { $0.time >= crashedAt }
        result.falseDeaths += simulation.observations.filter { $0.change.node != victim && $0.change.current.state == .dead }.count
        guard detected,
            let suspected = afterCrash.first(where: { $0.change.node == victim && $0.change.current.state != .alive }),
            let lastDead = afterCrash.last(where: { $0.change.node == victim && $0.change.current.state == .dead })
        else {
            result.undetectedSeeds += 1
            return
        }
        result.firstSuspicionMilliseconds.append(suspected.time - crashedAt)
        result.allDeadMilliseconds.append(lastDead.time - crashedAt)
    }

    /// Runs the lossy network with no crash for the quiet minutes: every failed probe is a false suspicion.
    static func measureQuiet(nodeCount: Int, seed: UInt64, settings: DetectionBenchSettings, into result: inout DetectionResult) throws {
        guard settings.quietMinutes > 0 else { return }
        var simulation = try DetectorSimulation(nodeCount: nodeCount, settings: settings.detector, network: settings.network, seed: seed)
        let duration = UInt64(settings.quietMinutes) * 60_000
        simulation.run(untilMilliseconds: duration)
        result.quietNodeHours += Double(nodeCount) * Double(duration) / 3_600_000
        for detector in simulation.detectors.values {
            result.quietProbes += detector.probesSentCount
            result.quietFailedProbes += detector.probesFailedCount
        }
        result.quietSuspectViews += simulation.observations.filter { $0.change.current.state == .suspect }.count
        result.falseDeaths += simulation.observations.filter { $0.change.current.state == .dead }.count
        result.quietMessages += simulation.messagesSent
    }

    /// The nearest-rank quantile `fraction` of `values`, in seconds, or "-" when there are none.
    static func seconds(_ values: [UInt64], quantile fraction: Double) -> String {
        guard !values.isEmpty else { return "-" }
        let sorted = values.sorted()
        let rank = max(1, Int((fraction * Double(sorted.count)).rounded(.up)))
        return String(format: "%.1f", Double(sorted[min(rank, sorted.count) - 1]) / 1_000)
    }

    /// The printed report: one row per cluster size.
    public static func table(_ results: [DetectionResult], settings: DetectionBenchSettings) -> String {
        let detector = settings.detector
        let network = settings.network
        var lines = [
            "Failure detection (SWIM + Lifeguard), virtual time: protocol period \(detector.protocolPeriodMilliseconds) ms, "
                + "probe timeout \(detector.probeTimeoutMilliseconds) ms, \(detector.indirectProbeCount) indirect probes, "
                + "gossip every \(detector.gossipIntervalMilliseconds) ms to \(detector.gossipFanout); "
                + String(format: "network: %.0f%% message loss, ", network.lossRate * 100)
                + "delay \(network.delayMinMilliseconds)–\(network.delayMinMilliseconds + network.delayJitterMilliseconds) ms; "
                + "\(settings.seeds) seeds (from \(settings.firstSeed)), crash after \(settings.warmupMilliseconds / 1_000) s, "
                + "\(settings.quietMinutes) quiet minutes per seed",
            "",
            "nodes | first suspicion s (median / p99) | all see dead s (median / p99) | undetected | false suspicions /node/h | per probe | suspect views /node/h | false deaths | msgs /node/s",
            "----: | ------------------------------- | ----------------------------- | ---------: | -----------------------: | --------: | --------------------: | -----------: | ----------:",
        ]
        for result in results {
            let hours = max(result.quietNodeHours, 1e-9)
            let perProbe = result.quietProbes == 0 ? 0 : Double(result.quietFailedProbes) / Double(result.quietProbes)
            let messagesPerNodeSecond = Double(result.quietMessages) / (hours * 3_600)
            lines.append(
                "\(result.nodeCount) | "
                    + "\(seconds(result.firstSuspicionMilliseconds, quantile: 0.5)) / \(seconds(result.firstSuspicionMilliseconds, quantile: 0.99)) | "
                    + "\(seconds(result.allDeadMilliseconds, quantile: 0.5)) / \(seconds(result.allDeadMilliseconds, quantile: 0.99)) | "
                    + "\(result.undetectedSeeds) | "
                    + String(format: "%.2f | %.2e | %.2f | ", Double(result.quietFailedProbes) / hours, perProbe, Double(result.quietSuspectViews) / hours)
                    + "\(result.falseDeaths) | " + String(format: "%.1f", messagesPerNodeSecond))
        }
        return lines.joined(separator: "\n")
    }
}
