import ArgumentParser
import CairnBench
import Foundation

/// `cairn bench detection`: crash detection time and false-suspicion rate of the SWIM/Lifeguard failure detector.
struct BenchDetectionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "Time to detect a crashed node, and the false-suspicion rate, of the failure detector.",
        discussion: """
            Simulated nodes run the failure detector in virtual time over a seeded network that loses messages \
            and jitters their delay. Per seed, one node crashes after a warm-up: the table gives the time to its \
            first suspicion and until every live node marks it dead (median and p99 over seeds). The same network \
            then runs with no crash, where every suspicion is false: the table gives them per node-hour of \
            virtual time and per probe. Nothing touches the disk or the network. Build with -c release.
            """
    )

    @Option(help: "Cluster sizes, comma-separated.")
    var nodes = "5,100"
    @Option(help: "Seeds per cluster size (one crash run and one quiet run each).")
    var seeds = 20
    @Option(help: "The first seed; runs repeat exactly from it.")
    var seed: UInt64 = 1
    @Option(help: "Fraction of messages lost, 0…1.")
    var loss = 0.05
    @Option(help: "Smallest one-way message delay, in milliseconds.")
    var delayMs: UInt64 = 5
    @Option(help: "Largest extra random delay on top of it, in milliseconds.")
    var jitterMs: UInt64 = 45
    @Option(help: "Virtual minutes per seed of the run with no crash (0 skips it).")
    var quietMinutes = 10

    func settings() throws -> DetectionBenchSettings {
        var settings = DetectionBenchSettings()
        let counts = nodes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--nodes must be comma-separated whole numbers, not '\(nodes)'")
        }
        guard (1...10_000).contains(seeds) else { throw ValidationError("--seeds must be within 1…10000, not \(seeds)") }
        guard (0...10_000).contains(quietMinutes) else { throw ValidationError("--quiet-minutes must be within 0…10000, not \(quietMinutes)") }
        guard (0...1).contains(loss) else { throw ValidationError("--loss must be within 0…1, not \(loss)") }
        guard delayMs <= 60_000, jitterMs <= 60_000 else { throw ValidationError("--delay-ms and --jitter-ms must be at most 60000") }
        guard counts.allSatisfy({ (2...2_000).contains($0!) }) else { throw ValidationError("--nodes must each be within 2…2000") }
        settings.nodeCounts = counts.compactMap { $0 }
        settings.seeds = seeds
        settings.firstSeed = seed
        settings.network = SimulatedNetwork(lossRate: loss, delayMinMilliseconds: delayMs, delayJitterMilliseconds: jitterMs)
        settings.quietMinutes = quietMinutes
        if let problem = settings.problem { throw ValidationError(problem) }
        return settings
    }

    func validate() throws { _ = try settings() }

    func run() throws {
        let settings = try settings()
        let started = Date()
        let results = try FailureDetectionRun.run(settings) { line in
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
        print(FailureDetectionRun.table(results, settings: settings))
        print(String(format: "\n(%.1f s of wall time)", Date().timeIntervalSince(started)))
    }
}
