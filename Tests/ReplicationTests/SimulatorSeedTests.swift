import CairnCore
import CairnEngines
import CairnReplication
import CairnStorage
import CairnSimulator
import Foundation
import Testing

/// Random runs of the whole replication core under faults, checked for lost, resurrected and diverging data.
@Suite("Simulator seeds")
struct SimulatorSeedTests {
    /// Seeds in a default run; `CAIRN_SIM_SEEDS` overrides (CAIRN_SIM_SEEDS=10000 for a soak).
    static let seedCount = ProcessInfo.processInfo.environment["CAIRN_SIM_SEEDS"].flatMap(Int.init) ?? 1000
    /// The first seed; `CAIRN_SIM_FIRST_SEED` moves the window, and with CAIRN_SIM_SEEDS=1 replays one seed.
    static let firstSeed = ProcessInfo.processInfo.environment["CAIRN_SIM_FIRST_SEED"].flatMap(UInt64.init) ?? 1
    /// A run stops after this many failing seeds; `CAIRN_SIM_FAILURES_MAX` raises it to list them all in a soak.
    static let failuresMax = ProcessInfo.processInfo.environment["CAIRN_SIM_FAILURES_MAX"].flatMap(Int.init) ?? 3
    /// Faults switched on beyond the defaults: `CAIRN_SIM_FAULTS=all`, or a list such as `wipedDisks,powerLoss`.
    static func faults() throws -> FaultSwitches {
        try FaultSwitches(names: ProcessInfo.processInfo.environment["CAIRN_SIM_FAULTS"] ?? "")
    }

    @Test("random seeds keep every invariant (memory engine)")
    func randomSeeds() throws {
        var failed: [String] = []
        let faults = try Self.faults()
        for seed in Self.firstSeed..<(Self.firstSeed + UInt64(Self.seedCount)) {
            if let report = try runSeed(SimulationOptions.forSeed(seed).with(faults: faults)) { failed.append(report) }
            if failed.count >= Self.failuresMax { break }
        }
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n\n"))")
    }

    @Test("seeds on real engines across crashes", arguments: [EngineKind.lmdb, .leveldb, .rocksdb])
    func realEngineSeeds(engine: EngineKind) throws {
        for seed in Self.firstSeed..<(Self.firstSeed + UInt64(max(1, Self.seedCount / 20))) {
            var options = SimulationOptions.forSeed(seed &+ 1_000_000).with(faults: try Self.faults())
            options.engine = engine
            let report = try runSeed(options)
            #expect(report == nil, "\(report ?? "")")
        }
    }

    /// Seed 7594 (N=1): c1-13 is read at its one primary n1, deleted with that context (acknowledged), and n1
    /// reaps the tombstone after the grace period, before any read could see it (n3 is down, n2 cut off). The
    /// delete took effect, so c1-13 is not a lost write: the checker counts a reaped tombstone's history as seen.
    @Test("seed 7594: a write superseded by a delete whose tombstone was reaped unseen is not lost")
    func reapedDeleteSupersedes() throws {
        let simulation = try Simulation(SimulationOptions.forSeed(7594))
        let failures = try simulation.run()
        #expect(failures.isEmpty, "\(failures)")
        #expect(simulation.trace.contains { $0.contains("n1 reaps key-0") }, "the run still reaps key-0's tombstone")
        let delete = simulation.history.writes.first { $0.key == "key-0" && $0.value == nil && $0.saw.contains("c1-13") }
        #expect(delete?.acknowledged == true, "an acknowledged delete saw c1-13")
    }

    @Test("default seeds prune version vectors, and a pruned key reads back as before")
    func seedsPrune() throws {
        var pruned = 0
        for seed in UInt64(1)...20 {
            let simulation = try Simulation(SimulationOptions.forSeed(seed))
            let failures = try simulation.run()
            #expect(failures.isEmpty, "seed \(seed): \(failures)")
            pruned += simulation.prunedCopyCount
        }
        #expect(pruned > 0, "some stored copy was pruned")
    }

    @Test("a seed replays exactly")
    func replay() throws {
        let first = try Simulation(SimulationOptions.forSeed(77))
        _ = try first.run()
        let second = try Simulation(SimulationOptions.forSeed(77))
        _ = try second.run()
        #expect(first.traceLineCount == second.traceLineCount)
        #expect(first.traceDigest == second.traceDigest)
        #expect(first.traceLineCount > 500, "the run did real work")
        let other = try Simulation(SimulationOptions.forSeed(78))
        _ = try other.run()
        #expect(other.traceDigest != first.traceDigest)
    }
}

/// Runs one seed; nil when it passes, else a report with the seed, the failures and the trace's tail.
func runSeed(_ options: SimulationOptions) throws -> String? {
    let simulation = try Simulation(options)
    let failures: [String]
    do {
        failures = try simulation.run()
    } catch {
        failures = ["run stopped: \(error)"]
    }
    guard !failures.isEmpty else { return nil }
    return """
        seed \(options.seed) (engine \(options.engine)) failed — replay with \
        \(ProcessInfo.processInfo.environment["CAIRN_SIM_FAULTS"].map { "CAIRN_SIM_FAULTS=\($0) " } ?? "")CAIRN_SIM_FIRST_SEED=\(options.seed) CAIRN_SIM_SEEDS=1 swift test --filter SimulatorSeedTests
        \(failures.joined(separator: "\n"))
        last \(simulation.trace.count) of \(simulation.traceLineCount) trace lines:
        \(simulation.trace.suffix(ProcessInfo.processInfo.environment["CAIRN_SIM_TRACE_ALL"] == "1" ? Int.max : 120).joined(separator: "\n"))
        """
}

/// The limit workloads (behind `FaultSwitches.limitWorkloads`) must really reach the core's limits.
@Suite("Simulator limit workloads")
struct SimulatorLimitWorkloadTests {
    @Test("limit workloads reach siblingsMax")
    func reachesLimits() throws {
        var reached = LimitsReached()
        var faults = FaultSwitches()
        faults.limitWorkloads = true
        for seed in UInt64(1)...4 {
            let simulation = try Simulation(SimulationOptions.forSeed(seed).with(faults: faults))
            _ = try simulation.run()
            reached.siblingsMax = max(reached.siblingsMax, simulation.limits.siblingsMax)
            reached.versionVectorEntriesMax = max(reached.versionVectorEntriesMax, simulation.limits.versionVectorEntriesMax)
            reached.refusals.merge(simulation.limits.refusals, uniquingKeysWith: +)
        }
        print("limit workloads reached: \(reached)")
        #expect(reached.siblingsMax >= ReplicationLimits.siblingsMax)
        #expect(reached.refusals["siblingsMax", default: 0] > 0)
    }

    /// Seeds of the limit workloads in a default run (each is about six times a default seed's work).
    static let seedCount = ProcessInfo.processInfo.environment["CAIRN_SIM_LIMIT_SEEDS"].flatMap(Int.init) ?? 100

    /// Replay a failing seed N with `CAIRN_SIM_FAULTS=limitWorkloads CAIRN_SIM_FIRST_SEED=N CAIRN_SIM_SEEDS=1
    /// swift test --filter randomSeeds` (the default faults stay on).
    @Test("limit workloads keep every invariant")
    func keepInvariants() throws {
        let faults = try FaultSwitches(names: "limitWorkloads")
        var failed: [String] = []
        for seed in UInt64(1)...UInt64(Self.seedCount) where !SimulationOptions.isActorChurnSeed(seed) {
            if let report = try runSeed(SimulationOptions.forSeed(seed).with(faults: faults)) { failed.append(report) }
            if failed.count >= 3 { break }
        }
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n\n"))")
    }

    /// The actor-churn seeds among the limit seeds reach `versionVectorEntriesMax`, lose nothing acknowledged, and
    /// leave every key writable: the final put with the context just read must succeed (issue 8, bug 5: entries
    /// every primary agreed carry no sibling are pruned after the prune grace). Any failure fails the test.
    @Test("actor churn reaches versionVectorEntriesMax, loses no acknowledged write and leaves every key writable")
    func actorChurn() throws {
        let faults = try FaultSwitches(names: "limitWorkloads")
        let seeds = (UInt64(1)...UInt64(Self.seedCount)).filter(SimulationOptions.isActorChurnSeed)
        var reachedCount = 0
        var failed: [String] = []
        for seed in seeds {
            let simulation = try Simulation(SimulationOptions.forSeed(seed).with(faults: faults))
            let failures: [String]
            do { failures = try simulation.run() } catch { failures = ["run stopped: \(error)"] }
            failed += failures.map { "seed \(seed): \($0)" }
            let limits = simulation.limits
            if limits.versionVectorEntriesMax >= ReplicationLimits.versionVectorEntriesMax
                || limits.refusals["versionVectorEntriesMax", default: 0] > 0
            {
                reachedCount += 1
            }
            print("actor churn seed \(seed): \(limits)")
        }
        print("actor churn: \(reachedCount) of \(seeds.count) seeds reached versionVectorEntriesMax")
        #expect(!seeds.isEmpty)
        #expect(reachedCount > 0, "some actor-churn seed reaches versionVectorEntriesMax")
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n"))")
    }
}

/// The default seeds must cover the topologies that rely on hints, not one fixed shape.
@Suite("Simulator topologies")
struct SimulatorTopologyTests {
    @Test("seeds vary nodes 3–9, N, R, W, PR, PW, the policy, the clocks and the durability")
    func seedsVaryTheTopology() {
        let shapes = (UInt64(1)...300).map(SimulationOptions.forSeed)
        #expect(Set(shapes.map(\.nodeCount)) == Set(3...9))
        #expect(Set(shapes.map(\.table.replicas)) == Set(1...5))
        #expect(shapes.contains { $0.table.writeQuorum == 1 && $0.table.replicas > 1 })
        #expect(shapes.contains { $0.table.writeQuorum == $0.table.replicas && $0.table.replicas >= 3 })
        #expect(shapes.contains { $0.primaryWriteQuorum > 0 } && shapes.contains { $0.primaryReadQuorum > 0 })
        #expect(shapes.contains { $0.table.policy == .lww } && shapes.contains { $0.table.policy == .siblings })
        #expect(shapes.contains { $0.clockSkewMillisecondsMax > 1_000 && $0.clockDriftPartsPerMillionMax > 0 })
        #expect(shapes.contains { $0.durability == .sync } && shapes.contains { $0.durability == .buffered })
        for shape in shapes {
            #expect((try? shape.table.check()) != nil, "seed \(shape.seed) has valid quorums")
            #expect(shape.table.replicas <= shape.nodeCount && shape.nodesDownMax < shape.nodeCount)
        }
    }
}
