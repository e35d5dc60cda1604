import CairnCore
import CairnEngines
import CairnNode
import CairnReplication
import CairnStorage
import CairnTestSupport
import Testing

/// Bugs 7 and 8 of issue 8: writes through a node cut off from every primary take the sloppy-quorum path as
/// reads do, and a key of the largest allowed size can be held as a hint on a real engine.
@Suite("Writes through fallbacks")
struct FallbackWriteTests {
    @Test("140 puts through a node cut off from every primary all succeed with hints on fallbacks")
    func cutOffWriter() throws {
        let (cluster, primaries, outsider) = TestCluster.primariesCutOff(of: "cart")
        let keys = (0..<2_000).map { "key-\($0)" }.filter { cluster.primaries(of: $0) == primaries }.prefix(140)
        #expect(keys.count >= 20)
        var failures: [String] = []
        for index in 0..<140 {
            let key = keys[keys.startIndex + index % keys.count]
            let reply = try cluster.put("v\(index)", key: key, at: outsider)
            if !reply.isWritten { failures.append("put \(index) of \(key): \(String(describing: reply))") }
        }
        #expect(failures.isEmpty, "\(failures.count) failed: \(failures.prefix(3))")
        #expect(cluster.nodeIDs.contains { !cluster.disk($0).hints.isEmpty }, "fallbacks hold hints")
        cluster.heal()
        try cluster.runFor(3_000)
        #expect(cluster.nodeIDs.allSatisfy { cluster.disk($0).hints.isEmpty }, "every hint was handed over")
        let last = keys[keys.startIndex + 139 % keys.count]
        #expect(try cluster.get(last, at: primaries[0], readQuorum: 3)?.values.contains("v139") == true)
    }

    @Test("a key of keyBytesMax is written while a primary is down, its hint held in LMDB and handed over")
    func largestKeyHint() throws {
        let directory = TemporaryDirectory("cairn-hint-key")
        let key = String(repeating: "k", count: ReplicationLimits.keyBytesMax)
        // Node names of the longest allowed length, so the hint key is the longest one a node can make.
        let names = (1...5).map { NodeID("n\($0)" + String(repeating: "x", count: ReplicationLimits.nodeNameBytesMax - 2)) }
        let cluster = try TestCluster(nodes: names) { node, ring in
            let configuration = TableConfiguration(engine: .lmdb, durability: .buffered)
            return EngineReplicaStore(
                partitionCount: ring.partitionCount, tables: [TestCluster.table: try configuration.openEngine(in: directory.child(node.name + "-t"))],
                hints: try configuration.openEngine(in: directory.child(node.name + "-hints")))
        }
        let primaries = cluster.primaries(of: key)
        cluster.crash(primaries[2])
        let reply = try cluster.put("big", key: key, at: primaries[0])
        #expect(reply.isWritten, "\(String(describing: reply))")
        try cluster.runFor(300)
        let held = try cluster.nodeIDs.flatMap { try cluster.storages[$0]!.heldHints() }
        #expect(held.count == 1 && held.first?.key.count == ReplicationLimits.keyBytesMax, "one fallback holds the hint")
        try cluster.start(primaries[2])
        try cluster.runFor(1_000)
        #expect(try cluster.get(key, at: primaries[2], readQuorum: 3)?.values == ["big"])
        #expect(try cluster.nodeIDs.allSatisfy { try cluster.storages[$0]!.heldHints().isEmpty }, "the hint was handed over")
        let tooLong = try cluster.request(.put(value: [1], context: nil), key: key + "k", at: primaries[0])
        #expect(tooLong == .failed(id: 3, error: .keyInvalid(bytes: ReplicationLimits.keyBytesMax + 1, limit: ReplicationLimits.keyBytesMax)))
    }

    @Test("a write acknowledged without a primary and with no fallback to hold its hint is logged, naming the primary")
    func unhintedPrimaryIsLogged() throws {
        let unhinted = "acknowledged without"
        // Three nodes, N = 3: every node is a primary, so no fallback can stand in for the crashed one.
        let small = TestCluster(nodeCount: 3)
        let primaries = small.primaries(of: "cart")
        small.crash(primaries[2])
        #expect(try small.put("milk", key: "cart", at: primaries[0]).isWritten)
        try small.runFor(1_500)
        let lines = small.logs.filter { $0.contains(unhinted) }
        #expect(lines.count == 1, "\(small.logs)")
        #expect(lines.first?.contains("write of key \"cart\"") == true && lines.first?.contains("without \(primaries[2].name) and no hint for it (0 fallback(s) asked)") == true,
            "\(lines)")
        // Four nodes: a fallback takes the hint, so nothing is logged; nor when every primary answers.
        let large = TestCluster(nodeCount: 4)
        let four = large.primaries(of: "cart")
        large.crash(four[2])
        #expect(try large.put("milk", key: "cart", at: four[0]).isWritten)
        let whole = TestCluster(nodeCount: 3)
        #expect(try whole.put("egg", key: "cart", at: primaries[0]).isWritten)
        try large.runFor(1_500)
        try whole.runFor(1_500)
        #expect(!large.logs.contains { $0.contains(unhinted) }, "\(large.logs)")
        #expect(!whole.logs.contains { $0.contains(unhinted) }, "\(whole.logs)")
        #expect(large.nodeIDs.contains { !large.disk($0).hints.isEmpty }, "a fallback holds the hint")
    }
}
