@testable import CairnSimulator
import CairnCore
import CairnReplication
import Testing

/// Issue 8, bug 5: a key written by more one-shot actors than `versionVectorEntriesMax` stays writable, because
/// entries every primary agreed carry no sibling are pruned a grace period later (`ReplicaNode+Prune`).
@Suite("Version-vector pruning")
struct VersionVectorPruneTests {
    let a = NodeID("a")
    let b = NodeID("b")

    func put(_ set: SiblingSet, _ value: String, by node: NodeID, context: VersionVector) throws -> SiblingSet {
        try set.applying(write: Array(value.utf8), tombstone: false, dot: set.nextDot(for: node), context: context,
                         timestampMilliseconds: 1, policy: .siblings)
    }

    @Test("pruning drops only the named entries held with the same counter and carried by no sibling")
    func pruningRule() throws {
        let first = try put(.empty, "a1", by: a, context: .empty)
        let second = try put(first, "b1", by: b, context: first.history)  // supersedes a1: a has no sibling
        #expect(second.entriesWithoutSiblings == VersionVector([a: 1]))
        #expect(second.pruning(VersionVector([a: 1])).history == VersionVector([b: 1]))
        #expect(second.pruning(VersionVector([a: 1])).siblings == second.siblings)
        // A counter that changed since the primaries agreed, or an entry with a sibling, stays.
        #expect(second.pruning(VersionVector([a: 2])) == second)
        #expect(second.pruning(VersionVector([b: 1])) == second)
        let concurrent = try put(second, "a2", by: a, context: .empty)
        #expect(concurrent.pruning(VersionVector([a: 2])) == concurrent)
    }

    @Test("a key written by 130 one-shot actors, one per restart, stays writable by a reconciling put and a delete")
    func restartedOneShotWritersStayWritable() throws {
        let (cluster, primaries, outsider) = TestCluster.primariesCutOff(of: "cart")
        cluster.heal()
        var failures: [String] = []
        var entriesMax = 0
        for index in 0..<130 {
            // Every primary answers this read, so it schedules a prune of the entries they agree carry no sibling.
            let seen = try #require(try cluster.get("cart", at: primaries[0], readQuorum: 3))
            entriesMax = max(entriesMax, try CausalContext.decode(seen.context).counters.count)
            cluster.isolate(primaries)
            cluster.crash(outsider)
            try cluster.start(outsider)  // a new start: a new one-shot actor
            let reply = try cluster.put("v\(index)", key: "cart", at: outsider, context: seen.context)
            if !reply.isWritten { failures.append("put \(index): \(String(describing: reply))") }
            cluster.heal()
            // Hints reach the primaries; every 10th round waits out the prune grace (tombstone grace + one-shot lifetime).
            try cluster.runFor(index % 10 == 9 ? 125_000 : 2_000)
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(entriesMax < ReplicationLimits.versionVectorEntriesMax, "pruning keeps the vector short: \(entriesMax) entries")
        try cluster.expectReconcilesAndDeletes("cart", reading: ["v129"])
    }
}

extension TestCluster {
    /// A client that reads `key` at R=3 finds `expected`, and can then put with that context and delete it.
    func expectReconcilesAndDeletes(_ key: String, reading expected: [String]) throws {
        let primaries = primaries(of: key)
        let seen = try #require(try get(key, at: primaries[0], readQuorum: 3))
        #expect(seen.values == expected)
        let reconciled = try put("final", key: key, at: primaries[0], context: seen.context)
        #expect(reconciled.isWritten, "\(String(describing: reconciled))")
        let final = try #require(try get(key, at: primaries[1], readQuorum: 3))
        #expect(final.values == ["final"])
        let deleted = try request(.delete(context: final.context), key: key, at: primaries[1])
        #expect(deleted.isWritten, "\(String(describing: deleted))")
        #expect(try get(key, at: primaries[2], readQuorum: 3)?.values == [])
    }
}

/// The simulator's read checker sees a superseded value come back after the entry of the write that superseded
/// it was pruned (no read's history can cover that write's dot any more).
@Suite("Resurrection after a prune")
struct PrunedResurrectionCheckerTests {
    @Test("a read returning a value superseded by a pruned write fails the run; before the prune it is only stale")
    func resurrectionAfterPruneIsSeen() throws {
        let simulation = try Simulation(SimulationOptions.forSeed(1))
        let writer = NodeID("n1/1")
        // c0-1 was overwritten by c0-2 (dot n1/1:2), acknowledged with c0-1 in its context.
        for (requestID, write) in [(UInt64(1), ClientHistory.Write(key: "key-0", value: "c0-1", saw: [])),
                                   (2, ClientHistory.Write(key: "key-0", value: "c0-2", saw: ["c0-1"]))] {
            simulation.writeIndexByRequest[requestID] = simulation.history.record(write)
            simulation.history.acknowledge(simulation.writeIndexByRequest[requestID]!)
            simulation.observed.dots[requestID] = Dot(writer, requestID)
        }
        let laterWriter = CausalContext.encode(VersionVector([NodeID("n2/1"): 1]))
        simulation.checkRead(key: "key-0", values: ["c0-1"], context: laterWriter)
        #expect(simulation.failuresDuringRun.isEmpty, "a read that never saw c0-2 is stale, not a resurrection")
        simulation.checkRead(key: "key-0", values: ["c0-1"], context: laterWriter, reapedAtStart: VersionVector([writer: 2]))
        #expect(simulation.failuresDuringRun.contains { $0.hasPrefix("resurrection in a read: key-0=c0-1 returned after a node pruned") })
    }
}
