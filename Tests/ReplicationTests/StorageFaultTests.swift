import CairnCore
import CairnNode
import CairnReplication
import CairnStorage
import MemoryEngine
import Testing

/// Bug 2 of issue 8: a stored copy the engine fails to read is never taken for an absent one, so it is never
/// overwritten; the node says so and keeps serving the other keys. (Copies that read but do not decode are
/// quarantined instead: `QuarantineTests`.)
@Suite("Unreadable stored copies")
struct StorageFaultTests {
    @Test("a copy the engine fails to read is not overwritten, and the put fails")
    func failingEngine() throws {
        var failing: FailingEngine?
        var victim: NodeID?
        let cluster = try TestCluster(nodes: ["n1", "n2", "n3", "n4", "n5"]) { node, ring in
            let engine = FailingEngine()
            if ring.preferenceList(for: Array("cart".utf8), count: 3)[1] == node {
                failing = engine
                victim = node
            }
            return EngineReplicaStore(partitionCount: ring.partitionCount, tables: [TestCluster.table: engine], hints: MemoryEngine())
        }
        let engine = try #require(failing)
        let node = try #require(victim)
        _ = try cluster.put("old", key: "cart", at: node)
        try cluster.runFor(100)
        let puts = engine.putCount
        engine.readsFail = true
        let reply = try cluster.put("new", key: "cart", at: node)
        try cluster.runFor(100)
        if case .failed? = reply {} else { Issue.record("a put whose local read fails must fail, got \(String(describing: reply))") }
        _ = try cluster.put("newer", key: "cart", at: cluster.primaries(of: "cart")[0])
        try cluster.runFor(100)
        #expect(engine.putCount == puts, "nothing is written over a copy that could not be read")
        #expect(cluster.cores[node]!.unreadableCopyCount >= 2)
        #expect(cluster.cores[node]!.quarantinedCopyCount == 0, "an I/O error is not a corrupt copy: nothing is quarantined")
        engine.readsFail = false
        #expect(try cluster.get("cart", at: node, readQuorum: 3)?.values.contains("old") == true)
    }
}
