import CairnCore
import CairnReplication
import Testing

/// Bugs 3, 4 and 6 of issue 8: a restarted node must never reissue, or dominate by accident, a dot or a
/// request id it used before the restart.
@Suite("Epochs across restarts")
struct EpochTests {
    func isWritten(_ reply: ClientReply?) -> Bool { if case .written? = reply { true } else { false } }

    @Test("KV679: a node whose disk was wiped does not erase an acknowledged write held by other replicas")
    func wipedDisk() throws {
        let cluster = TestCluster(nodeCount: 5)
        let primary = cluster.primaries(of: "cart")[0]
        #expect(isWritten(try cluster.put("a-old", key: "cart", at: primary)))
        try cluster.runFor(100)
        cluster.crash(primary)
        cluster.disk(primary).wipe()
        try cluster.runFor(1_000)
        try cluster.start(primary)
        #expect(isWritten(try cluster.put("b-new", key: "cart", at: primary)))
        try cluster.runFor(100)
        #expect(try cluster.get("cart", at: cluster.primaries(of: "cart")[1], readQuorum: 3)?.values == ["a-old", "b-new"])
    }

    @Test("a node that lost its unsynced writes never reuses their dots for other values")
    func lostBufferedWrite() throws {
        let cluster = TestCluster(nodeCount: 5)
        let primary = cluster.primaries(of: "cart")[0]
        #expect(isWritten(try cluster.put("x1", key: "cart", at: primary)))
        try cluster.runFor(50)
        cluster.disk(primary).sync()
        #expect(isWritten(try cluster.put("x2", key: "cart", at: primary)))
        try cluster.runFor(50)
        cluster.crash(primary)
        cluster.disk(primary).loseUnsynced()
        try cluster.start(primary)
        #expect(isWritten(try cluster.put("x3", key: "cart", at: primary)))
        try cluster.runFor(100)
        for node in cluster.primaries(of: "cart") {
            #expect(try cluster.get("cart", at: node, readQuorum: 3)?.values == ["x1", "x2", "x3"], "read at \(node)")
        }
    }

    @Test("a put forwarded after the forwarder restarted is applied, not taken for a duplicate")
    func forwardAfterRestart() throws {
        let cluster = TestCluster(nodeCount: 5)
        let outsider = cluster.outsider(of: "cart")
        #expect(isWritten(try cluster.put("v1", key: "cart", at: outsider)))
        try cluster.runFor(50)
        cluster.crash(outsider)
        try cluster.start(outsider)
        #expect(isWritten(try cluster.put("v2", key: "cart", at: outsider)))
        try cluster.runFor(50)
        #expect(try cluster.get("cart", at: cluster.primaries(of: "cart")[0], readQuorum: 3)?.values == ["v1", "v2"])
    }
}
