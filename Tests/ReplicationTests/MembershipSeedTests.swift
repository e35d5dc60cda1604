import CairnCore
import CairnReplication
import CairnSimulator
import Foundation
import Testing

/// Random runs of whole cluster nodes while the cluster changes shape (joins, a leave, crashes during transfers,
/// partitions, a wiped disk, lossy network) under client load, checked for converged ownership, exact replica
/// sets, lost writes and resurrections.
@Suite("Membership simulator seeds")
struct MembershipSeedTests {
    static let environment = ProcessInfo.processInfo.environment
    /// Seeds in a default run; `CAIRN_SIM_MEMBERSHIP_SEEDS` (or `CAIRN_SIM_SEEDS`) overrides it for a soak.
    static let seedCount = (environment["CAIRN_SIM_MEMBERSHIP_SEEDS"] ?? environment["CAIRN_SIM_SEEDS"]).flatMap(Int.init) ?? 30
    /// The first seed; `CAIRN_SIM_FIRST_SEED` moves the window, and with a count of 1 replays one seed.
    static let firstSeed = environment["CAIRN_SIM_FIRST_SEED"].flatMap(UInt64.init) ?? 1
    static let failuresMax = environment["CAIRN_SIM_FAILURES_MAX"].flatMap(Int.init) ?? 3
    /// Default seeds that fail on known wiring bugs not fixed yet (see README, "Membership simulation"): each is
    /// run and must still fail (remove it once its bug is fixed); the others must pass. Empty in a soak or replay
    /// window that does not start at seed 1 is fine: only seeds inside the window are looked at.
    static let knownFailingSeeds: Set<UInt64> = []

    @Test("membership seeds keep every invariant")
    func membershipSeeds() throws {
        var failed: [String] = []
        var counts: [String: Int] = [:]
        let started = Date()
        for seed in Self.firstSeed..<(Self.firstSeed + UInt64(Self.seedCount)) {
            let (report, simulation) = runMembershipSeed(MembershipOptions.forSeed(seed))
            counts.merge(simulation.counts, uniquingKeysWith: +)
            if Self.knownFailingSeeds.contains(seed), Self.environment["CAIRN_SIM_MEMBERSHIP_STRICT"] != "1" {
                #expect(report != nil, "known-failing membership seed \(seed) passes now: remove it from knownFailingSeeds")
                if let report { print("known failure (not counted): \(report.prefix(600))") }
                continue
            }
            if let report { failed.append(report) }
            if failed.count >= Self.failuresMax { break }
        }
        print("membership seeds \(Self.firstSeed)..<\(Self.firstSeed + UInt64(Self.seedCount)) in \(Int(Date().timeIntervalSince(started))) s: "
            + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n\n"))")
        if Self.seedCount >= 10 {
            // The faults the seeds promise really happen.
            for fault in ["joins", "leaves", "sender crashes", "receiver crashes", "partitions", "wipes"] {
                #expect(counts[fault, default: 0] > 0, "no seed injected \(fault)")
            }
        }
    }

    @Test("a wiped old holder marks the moves from it done, so the cluster goes quiet (seeds 128 and 134 never did)", arguments: [128, 134] as [UInt64])
    func wipedOldHolderGoesQuiet(seed: UInt64) {
        let (report, simulation) = runMembershipSeed(MembershipOptions.forSeed(seed))
        #expect(simulation.counts["wipes"] == 1, "the seed wipes a disk")
        #expect(report == nil, "\(report ?? "")")
        #expect(simulation.isQuiet, "every move is done, every node on one ring, no hint held")
    }

    /// Seeds where a restarted node adopted a ring more than one epoch ahead and, computing its moves between its
    /// old ring and the new one only, sent nobody a partition a skipped ring had moved from it (a missing copy).
    static let skippedEpochSeeds: [UInt64] = [61, 286, 778, 840, 973]

    @Test("a node that skipped ring epochs sends what it held to every holder (seeds 61, 286, 778, 840, 973 left a copy missing)",
        arguments: skippedEpochSeeds)
    func skippedEpochReachesEveryHolder(seed: UInt64) {
        let (report, simulation) = runMembershipSeed(MembershipOptions.forSeed(seed))
        #expect(simulation.counts["skipped ring epochs", default: 0] > 0, "a node skips a ring epoch")
        #expect(report == nil, "\(report ?? "")")
        // Seed 286 no longer needs the skipped-epoch rule: the node's cancelled transfer of that partition is resent
        // to every new holder (`cancelledTransferReachesReplacement`), which delivers it too.
        #if CAIRN_MUTATIONS
        guard seed != 286 else { return }
        var options = MembershipOptions.forSeed(seed)
        options.mutation = .skippedEpochMovesOnlyBetweenRings
        let failures = (try? MembershipSimulation(options).run()) ?? []
        #expect(failures.contains { $0.hasPrefix("missing copy") }, "without the fix: \(failures)")
        #endif
    }

    /// Seeds where a transfer to a node was cancelled because a newer ring put another node in its place, and the
    /// replacement got the partition only from the cancelled receiver, which never had all of it (a missing copy).
    static let cancelledTransferSeeds: [UInt64] = [1517, 2094, 2996, 5198, 5828]

    @Test("a transfer cancelled by a newer ring is resent to the new holders (seeds 1517, 2094, 2996, 5198, 5828 left a copy missing)",
        arguments: cancelledTransferSeeds)
    func cancelledTransferReachesReplacement(seed: UInt64) {
        let (report, _) = runMembershipSeed(MembershipOptions.forSeed(seed))
        #expect(report == nil, "\(report ?? "")")
        #if CAIRN_MUTATIONS
        var options = MembershipOptions.forSeed(seed)
        options.mutation = .cancelledTransferResentOnlyByLeavers
        let failures = (try? MembershipSimulation(options).run()) ?? []
        #expect(failures.contains { $0.hasPrefix("missing copy") }, "without the fix: \(failures)")
        #endif
    }

    @Test("a replacement's hint ack deletes the hint whose data it acknowledges (seed 5210 held two hints for key-0 for ever)")
    func hintAckPicksTheHintItAcknowledges() {
        let (report, simulation) = runMembershipSeed(MembershipOptions.forSeed(5210))
        #expect(report == nil, "\(report ?? "")")
        #expect(simulation.isQuiet, "no hint held at the end")
        #if CAIRN_MUTATIONS
        var options = MembershipOptions.forSeed(5210)
        options.mutation = .hintAckTakenForDepartedOwner
        let stopped: String
        do { stopped = "\(try MembershipSimulation(options).run())" } catch { stopped = "\(error)" }
        #expect(stopped.contains("holds a hint for"), "without the fix the cluster never goes quiet: \(stopped)")
        #endif
    }

    @Test("a key written while a primary was down and no fallback existed is excused from the missing-copy check only (seed 474)")
    func unhintedWriteExcused() {
        let (report, simulation) = runMembershipSeed(MembershipOptions.forSeed(474))
        // n1 was down from t=0.9 s to 1.4 s on a ring of three nodes with N = 3: key-13 was written only then. (Since
        // the cancelled-transfer fix, the run also logs key-13 without n4 at t=7.7 s: n4, wiped, on a ring of three
        // after the leave, did not answer within the timeout; the same excuse, for that node.)
        #expect(simulation.writtenWithoutPrimaryOrFallback["key-13"]?.contains("n1") == true, "\(simulation.writtenWithoutPrimaryOrFallback)")
        #expect(report == nil, "\(report ?? "")")
    }

    @Test("a membership seed replays exactly")
    func replay() {
        let first = runMembershipSeed(MembershipOptions.forSeed(5)).simulation
        let second = runMembershipSeed(MembershipOptions.forSeed(5)).simulation
        #expect(first.traceDigest == second.traceDigest)
        #expect(first.counts == second.counts)
        #expect(first.counts["acknowledged writes", default: 0] > 20, "the run did real work")
        let other = runMembershipSeed(MembershipOptions.forSeed(6)).simulation
        #expect(other.traceDigest != first.traceDigest)
    }

    #if CAIRN_MUTATIONS
    @Test("every deliberate transfer bug is caught within the default membership seeds", arguments: CoreMutation.membershipBugs)
    func mutationIsCaught(mutation: CoreMutation) {
        var caught: (seed: UInt64, failure: String)?
        // The seeds the default run requires to pass (the window, then the replays), so a failure here is the mutation's.
        let window = Array(Self.firstSeed..<(Self.firstSeed + UInt64(Self.seedCount)))
        for seed in window + Self.skippedEpochSeeds + Self.cancelledTransferSeeds + [5210] where !Self.knownFailingSeeds.contains(seed) {
            var options = MembershipOptions.forSeed(seed)
            options.mutation = mutation
            let simulation = MembershipSimulation(options)
            let failures: [String]
            do { failures = try simulation.run() } catch { failures = ["run stopped: \(error)"] }
            if let first = failures.first {
                caught = (seed, first)
                break
            }
        }
        if let caught { print("mutation \(mutation) caught at membership seed \(caught.seed): \(caught.failure)") }
        #expect(caught != nil, "no default membership seed noticed the mutation \(mutation)")
    }
    #endif
}
