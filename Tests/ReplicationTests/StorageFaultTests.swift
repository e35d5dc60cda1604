import CairnCore
import CairnNode
import CairnReplication
import CairnStorage
import MemoryEngine
import Testing

/// Bug 2 of issue 8: a stored copy that cannot be read or decoded is never taken for an absent one, so it is
/// never overwritten; the node says so and keeps serving the other keys.
@Suite("Unreadable stored copies")
struct StorageFaultTests {
    @Test("corrupted bytes are kept, not overwritten by a put, a replica put or a read repair")
    func corruptedCopy() throws {
        let cluster = TestCluster(nodeCount: 5)
        let primaries = cluster.primaries(of: "cart")
        _ = try cluster.put("old", key: "cart", at: primaries[0])
        _ = try cluster.put("other", key: "shelf", at: primaries[0])
        try cluster.runFor(100)
        let garbage: [UInt8] = [0xFF, 0x01, 0x02]
        cluster.disk(primaries[0]).copies[Array("cart".utf8)] = garbage

        let own = try cluster.put("new", key: "cart", at: primaries[0])
        guard case .failed(_, .corruptReplicaData)? = own else {
            Issue.record("a put over an unreadable copy fails with corruptReplicaData, got \(String(describing: own))")
            return
        }
        _ = try cluster.put("new2", key: "cart", at: primaries[1])
        _ = try cluster.get("cart", at: primaries[2], readQuorum: 3)
        try cluster.runFor(500)
        #expect(cluster.disk(primaries[0]).copies[Array("cart".utf8)] == garbage, "the unreadable copy is kept")
        #expect(cluster.cores[primaries[0]]!.unreadableCopyCount >= 3, "counted: the put, the replica put, the read")
        #expect(try cluster.get("cart", at: primaries[1])?.values == ["new2", "old"])
        #expect(try cluster.get("shelf", at: primaries[0], readQuorum: 3)?.values.contains("other") == true)
    }

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
        engine.readsFail = false
        #expect(try cluster.get("cart", at: node, readQuorum: 3)?.values.contains("old") == true)
    }
}
