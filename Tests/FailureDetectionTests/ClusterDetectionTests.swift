import CairnBench
import CairnCore
import CairnMembership
import Foundation
import Testing

/// Whole clusters of detectors in the seeded simulation (virtual time): crashes are detected by everyone,
/// slow nodes and cut links are not, and a run replays exactly from its seed.
@Suite("Failure detection: simulated clusters")
struct ClusterDetectionTests {
    static let lossy = SimulatedNetwork(lossRate: 0.05, delayMinMilliseconds: 5, delayJitterMilliseconds: 45)
    static let clean = SimulatedNetwork(lossRate: 0, delayMinMilliseconds: 5, delayJitterMilliseconds: 10)
    /// Seeds per randomized test: 5 by default, `CAIRN_DETECTOR_SEEDS` for a long run.
    static let seeds = UInt64(ProcessInfo.processInfo.environment["CAIRN_DETECTOR_SEEDS"] ?? "") ?? 5

    /// Observations in which a node other than `except` was seen in `state`.
    func sightings(_ simulation: DetectorSimulation, _ state: FailureDetector.MemberStatus.State, except: NodeID? = nil) -> [DetectorSimulation.Observation] {
        simulation.observations.filter { $0.change.node != except && $0.change.current.state == state }
    }

    /// The bound on detection, without local-health stretching: every live node probes each member once per
    /// shuffled round, so someone probes the crashed node within two rounds (2·(n−1) periods); its probe fails
    /// by the end of that period; each node's own suspicion then lasts at most the longest suspicion timeout;
    /// ten more periods let the suspicion reach every node over a lossy network.
    func detectionBound(nodeCount: Int, _ settings: FailureDetector.Settings) -> UInt64 {
        let period = settings.protocolPeriodMilliseconds
        return UInt64(2 * (nodeCount - 1) + 1 + 10) * period + settings.suspicionTimeoutBoundsMilliseconds(memberCount: nodeCount).max
    }

    @Test("a crashed node is declared dead by every live node within the bound, under 5% loss", arguments: [5, 20])
    func crashDetected(nodeCount: Int) throws {
        let settings = FailureDetector.Settings()
        let bound = detectionBound(nodeCount: nodeCount, settings)
        for seed in UInt64(1)...Self.seeds {
            var simulation = try DetectorSimulation(nodeCount: nodeCount, settings: settings, network: Self.lossy, seed: seed)
            simulation.run(untilMilliseconds: 10_000)
            let victim = simulation.nodes[Int(seed) % nodeCount]
            simulation.crash(victim)
            simulation.run(untilMilliseconds: 10_000 + bound)
            for node in simulation.nodes where node != victim {
                let status = try #require(simulation.detectors[node]!.status(of: victim))
                #expect(status.state == .dead, "seed \(seed): \(node) sees \(victim) as \(status) \(bound) ms after the crash")
            }
            #expect(sightings(simulation, .dead, except: victim).isEmpty, "seed \(seed): no live node is declared dead")
            #expect(simulation.rejections.isEmpty)
        }
    }

    @Test("a slow node (stalled 3 s every 10 s) is suspected, refutes, and is never declared dead")
    func slowNodeRefutes() throws {
        for seed in UInt64(1)...Self.seeds {
            var simulation = try DetectorSimulation(nodeCount: 5, network: Self.clean, seed: seed)
            for stall in UInt64(1)...5 {
                simulation.run(untilMilliseconds: stall * 10_000)
                simulation.pause("n3", forMilliseconds: 3_000)
            }
            simulation.run(untilMilliseconds: 80_000)
            #expect(simulation.firstTime(anyoneSaw: "n3", as: .suspect) != nil, "seed \(seed): the stalls are noticed")
            #expect(simulation.detectors["n3"]!.refutationCount >= 1 && simulation.detectors["n3"]!.incarnation >= 1)
            #expect(sightings(simulation, .dead).isEmpty, "seed \(seed): nobody is declared dead")
            #expect(simulation.allLiveNodesSee("n3", as: .alive), "seed \(seed): everyone sees n3 alive again")
        }
    }

    @Test("indirect probes save a node whose direct link is cut; without them it is suspected")
    func indirectProbesSave() throws {
        var settings = FailureDetector.Settings()
        var simulation = try DetectorSimulation(nodeCount: 5, settings: settings, network: Self.clean, seed: 3)
        simulation.cutLink("n1", "n2")
        simulation.run(untilMilliseconds: 120_000)
        #expect(simulation.detectors["n1"]!.probesFailedCount == 0)
        #expect(simulation.detectors["n2"]!.probesFailedCount == 0)
        #expect(sightings(simulation, .suspect).isEmpty, "\(sightings(simulation, .suspect))")
        #expect(simulation.messagesLost > 0, "the cut link did drop the direct probes")

        settings.indirectProbeCount = 0
        var direct = try DetectorSimulation(nodeCount: 5, settings: settings, network: Self.clean, seed: 3)
        direct.cutLink("n1", "n2")
        direct.run(untilMilliseconds: 120_000)
        #expect(direct.firstTime("n1", saw: "n2", as: .suspect) != nil, "with no indirect probes, n1 suspects n2")
    }

    @Test("a crashed node that restarts refutes its death and is alive again everywhere")
    func restartedNodeComesBack() throws {
        for seed in UInt64(1)...max(1, Self.seeds / 2) {
            var simulation = try DetectorSimulation(nodeCount: 6, network: Self.lossy, seed: seed)
            simulation.run(untilMilliseconds: 5_000)
            simulation.crash("n2")
            let dead = simulation.run(untilMilliseconds: 90_000) { $0.allLiveNodesSee("n2", as: .dead) }
            #expect(dead, "seed \(seed): the crash is detected first")
            try simulation.restart("n2")
            let back = simulation.run(untilMilliseconds: simulation.now + 30_000) { $0.allLiveNodesSee("n2", as: .alive) }
            #expect(back, "seed \(seed): every node sees n2 alive again")
            #expect(simulation.detectors["n2"]!.incarnation >= 1, "it refuted its death with a higher incarnation")
            #expect(simulation.rejections.isEmpty)
        }
    }

    @Test("a run replays exactly from its seed; another seed differs")
    func deterministicReplay() throws {
        func run(seed: UInt64) throws -> DetectorSimulation {
            var simulation = try DetectorSimulation(nodeCount: 8, network: Self.lossy, seed: seed)
            simulation.run(untilMilliseconds: 15_000)
            simulation.crash("n4")
            simulation.run(untilMilliseconds: 60_000)
            return simulation
        }
        let first = try run(seed: 11)
        let again = try run(seed: 11)
        let other = try run(seed: 12)
        #expect(!first.observations.isEmpty)
        #expect(first.observations == again.observations)
        #expect(first.messagesSent == again.messagesSent && first.messagesLost == again.messagesLost)
        #expect(first.nodes.map { first.detectors[$0]!.probesSentCount } == again.nodes.map { again.detectors[$0]!.probesSentCount })
        #expect(first.observations != other.observations)
    }

    @Test("the detection benchmark measures a crash and counts suspicions on a small run")
    func benchmarkRun() throws {
        var settings = DetectionBenchSettings()
        settings.nodeCounts = [5]
        settings.seeds = 2
        settings.quietMinutes = 5
        let results = try FailureDetectionRun.run(settings)
        let result = try #require(results.first)
        #expect(result.allDeadMilliseconds.count == 2 && result.undetectedSeeds == 0)
        #expect(zip(result.firstSuspicionMilliseconds, result.allDeadMilliseconds).allSatisfy { $0 <= $1 })
        #expect(result.quietProbes > 0 && abs(result.quietNodeHours - 2 * 5 * 5.0 / 60) < 1e-9)
        let table = FailureDetectionRun.table(results, settings: settings)
        #expect(table.contains("\n5 | ") && table.contains("5% message loss"))

        settings.seeds = 0
        #expect(throws: FailureDetectionError.settingInvalid("seeds (0) must be within 1…10000")) { try FailureDetectionRun.run(settings) }
    }
}
