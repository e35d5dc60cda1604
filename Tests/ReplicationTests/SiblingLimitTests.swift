import CairnCore
import CairnReplication
import Testing

/// Bugs 1 and 5 of issue 8: one-shot writes through a node cut off from a key's primaries must neither lose
/// acknowledged data past the sibling limits nor grow the key's version vector until it can never be written.
@Suite("Sibling and version-vector limits")
struct SiblingLimitTests {
    @Test("blind puts past siblingsMax are refused before they are acknowledged, and every acknowledged one is read back")
    func siblingExplosion() throws {
        let (cluster, primaries, outsider) = TestCluster.primariesCutOff(of: "cart")
        _ = try cluster.get("cart", at: outsider)
        var acknowledged: [String] = []
        for index in 0..<140 {
            if try cluster.put("v\(index)", key: "cart", at: outsider).isWritten { acknowledged.append("v\(index)") }
        }
        cluster.heal()
        try cluster.runFor(3_000)
        let read = try #require(try cluster.get("cart", at: primaries[0], readQuorum: 3))
        #expect(!acknowledged.isEmpty)
        #expect(acknowledged.count <= ReplicationLimits.siblingsMax, "\(acknowledged.count) blind puts acknowledged")
        #expect(Set(acknowledged).isSubset(of: read.values), "lost: \(Set(acknowledged).subtracting(read.values).sorted())")
        for node in cluster.nodeIDs {
            for data in cluster.disk(node).copies.values { #expect(throws: Never.self) { try SiblingSetCodec.decode(data) } }
            for hint in cluster.disk(node).hints.values { #expect(throws: Never.self) { try SiblingSetCodec.decode(hint.data) } }
        }
    }

    @Test("a fallback refuses, before acknowledging, a hint merge that would pass siblingsMax")
    func hintMergeRefused() throws {
        let (cluster, primaries, _) = TestCluster.primariesCutOff(of: "cart")
        let outsiders = cluster.nodeIDs.filter { !primaries.contains($0) }
        var acknowledged: [String] = []
        for writer in outsiders.prefix(2) {
            _ = try cluster.get("cart", at: writer)
            for index in 0..<20 {
                let value = "\(writer)-\(index)"
                if try cluster.put(value, key: "cart", at: writer).isWritten { acknowledged.append(value) }
            }
        }
        #expect(acknowledged.count >= 20 && acknowledged.count < 40, "\(acknowledged.count) acknowledged")
        #expect(cluster.nodeIDs.contains { cluster.cores[$0]!.refusedMergeCount > 0 }, "a fallback refused a merge")
        cluster.heal()
        try cluster.runFor(3_000)
        let read = try #require(try cluster.get("cart", at: primaries[0], readQuorum: 3))
        #expect(Set(acknowledged).isSubset(of: read.values), "lost: \(Set(acknowledged).subtracting(read.values).sorted())")
        // Writes that were refused may still have reached a replica that had room (a failed write may or may not
        // be applied), so the merged copy can pass siblingsMax, within the stored bound.
        #expect(read.values.count <= ReplicationLimits.storedSiblingsMax)
    }

    @Test("after 130 one-shot puts with a context, a client that read the key can still put and delete it")
    func oneShotWritersStayBounded() throws {
        let (cluster, primaries, outsider) = TestCluster.primariesCutOff(of: "cart")
        var failures: [String] = []
        for index in 0..<130 {
            let seen = try #require(try cluster.get("cart", at: outsider))
            let reply = try cluster.put("v\(index)", key: "cart", at: outsider, context: seen.context)
            if !reply.isWritten { failures.append("put \(index): \(String(describing: reply))") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        cluster.heal()
        try cluster.runFor(3_000)
        try cluster.expectReconcilesAndDeletes("cart", reading: ["v129"])
    }
}
