import CairnCore
import CairnReplication
import Testing

/// Bugs 3, 4 and 6 of issue 8: a restarted node must never reissue, or dominate by accident, a dot or a
/// request id it used before the restart.
@Suite("Epochs across restarts")
struct EpochTests {
    @Test("KV679: a node whose disk was wiped does not erase an acknowledged write held by other replicas")
    func wipedDisk() throws {
        let cluster = TestCluster(nodeCount: 5)
        let primary = cluster.primaries(of: "cart")[0]
        #expect(try cluster.put("a-old", key: "cart", at: primary).isWritten)
        try cluster.runFor(100)
        cluster.crash(primary)
        cluster.disk(primary).wipe()
        try cluster.runFor(1_000)
        try cluster.start(primary)
        #expect(try cluster.put("b-new", key: "cart", at: primary).isWritten)
        try cluster.runFor(100)
        #expect(try cluster.get("cart", at: cluster.primaries(of: "cart")[1], readQuorum: 3)?.values == ["a-old", "b-new"])
    }

    @Test("a node that lost its unsynced writes never reuses their dots for other values")
    func lostBufferedWrite() throws {
        let cluster = TestCluster(nodeCount: 5)
        let primary = cluster.primaries(of: "cart")[0]
        #expect(try cluster.put("x1", key: "cart", at: primary).isWritten)
        try cluster.runFor(50)
        cluster.disk(primary).sync()
        #expect(try cluster.put("x2", key: "cart", at: primary).isWritten)
        try cluster.runFor(50)
        cluster.crash(primary)
        cluster.disk(primary).loseUnsynced()
        try cluster.start(primary)
        #expect(try cluster.put("x3", key: "cart", at: primary).isWritten)
        try cluster.runFor(100)
        for node in cluster.primaries(of: "cart") {
            #expect(try cluster.get("cart", at: node, readQuorum: 3)?.values == ["x1", "x2", "x3"], "read at \(node)")
        }
    }

    @Test("a put forwarded after the forwarder restarted is applied, not taken for a duplicate")
    func forwardAfterRestart() throws {
        let cluster = TestCluster(nodeCount: 5)
        let outsider = cluster.outsider(of: "cart")
        #expect(try cluster.put("v1", key: "cart", at: outsider).isWritten)
        try cluster.runFor(50)
        cluster.crash(outsider)
        try cluster.start(outsider)
        #expect(try cluster.put("v2", key: "cart", at: outsider).isWritten)
        try cluster.runFor(50)
        #expect(try cluster.get("cart", at: cluster.primaries(of: "cart")[0], readQuorum: 3)?.values == ["v1", "v2"])
    }

    @Test("an acknowledgement addressed to a request of an earlier start does not count toward a new write, with the same actor")
    func staleAcknowledgement() throws {
        let cluster = TestCluster(nodeCount: 5)
        let primaries = cluster.primaries(of: "cart")
        let disk = TestDisk()
        let configuration = NodeConfiguration(id: primaries[0], incarnation: 1, start: 2, ring: cluster.ring, tables: [TestCluster.table: cluster.settings])
        var node = ReplicaNode(configuration: configuration, storage: disk)
        _ = node.start(now: 1_000)
        let request = ClientRequest(id: 7, table: TestCluster.table, key: Array("cart".utf8), operation: .put(value: [1], context: nil))
        let sent = node.onClientRequest(request, now: 1_000)
        #expect(sent.contains { if case .send(_, .replica(.put(let id, _, _, _, _))) = $0 { id.start == 2 } else { false } })
        let stale = RequestID(coordinator: primaries[0], start: 1, sequence: 1)
        #expect(node.onMessage(.coordinator(.putAck(id: stale)), from: primaries[1], now: 1_005) == [], "an ack from before the restart")
        let current = RequestID(coordinator: primaries[0], start: 2, sequence: 1)
        #expect(node.onMessage(.coordinator(.putAck(id: current)), from: primaries[1], now: 1_006) == [.reply(.written(id: 7))])
    }
}
