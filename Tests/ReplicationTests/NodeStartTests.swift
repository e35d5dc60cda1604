import CairnCore
import CairnEngines
import CairnNode
import CairnReplication
import CairnStorage
import CairnTestSupport
import Foundation
import MemoryEngine
import Testing

/// The shell's start and stop calls (`beginStart`, `stopCleanly`): a new start counter at every start, and a
/// new dot incarnation only when the node may have lost history, so version vectors stay bounded across clean
/// restarts while wiped disks and unclean stops of buffered tables still get a new actor (issue 8, bugs 3–6).
@Suite("Starts and incarnations")
struct NodeStartTests {
    /// A node's engines on LMDB in `directory`: one table and the hint engine.
    final class LMDBNode {
        let store: EngineReplicaStore
        let engines: [any StorageEngine]

        init(_ directory: TemporaryDirectory, durability: Durability) throws {
            let configuration = TableConfiguration(engine: .lmdb, durability: durability)
            let table = try configuration.openEngine(in: directory.child("t"))
            let hints = try configuration.openEngine(in: directory.child("hints"))
            engines = [table, hints]
            store = EngineReplicaStore(partitionCount: 64, tables: ["t": table], hints: hints)
        }

        func close() throws { for engine in engines { try engine.close() } }
    }

    @Test("on LMDB, a clean restart keeps the incarnation and takes the next start counter; the records stay out of reads")
    func cleanRestartOnLMDB() throws {
        let directory = TemporaryDirectory("cairn-start")
        var node = try LMDBNode(directory, durability: .buffered)
        let first = try node.store.beginStart(wallClockMilliseconds: 5_000, bufferedTables: ["t"], freshCounter: 5_000)
        #expect(first == NodeStart(start: 5_000, incarnation: 5_000, newIncarnationReason: .noRecord), "a new disk starts from the fresh counter")
        try node.store.perform(.persist(table: "t", key: [1], data: [2]))
        try node.store.stopCleanly(wallClockMilliseconds: 5_100)
        try node.close()
        node = try LMDBNode(directory, durability: .buffered)
        let second = try node.store.beginStart(wallClockMilliseconds: 5_200, bufferedTables: ["t"])
        #expect(second == NodeStart(start: 5_001, incarnation: 5_000, newIncarnationReason: nil))
        #expect(try node.store.storedHints().isEmpty, "the start record is not taken for a hint")
        #expect(try node.store.storedCopies(table: "t").map(\.key) == [[1]], "the stamp is not taken for a stored copy")
        try node.close()
    }

    @Test("on LMDB, an unclean stop with a buffered table begins a new incarnation; with sync tables it keeps it")
    func uncleanStopOnLMDB() throws {
        for durability in Durability.allCases {
            let directory = TemporaryDirectory("cairn-start")
            let buffered: Set<String> = durability == .buffered ? ["t"] : []
            var node = try LMDBNode(directory, durability: durability)
            _ = try node.store.beginStart(wallClockMilliseconds: 5_000, bufferedTables: buffered, freshCounter: 5_000)
            try node.close()
            node = try LMDBNode(directory, durability: durability)
            let next = try node.store.beginStart(wallClockMilliseconds: 5_100, bufferedTables: buffered)
            let expected = durability == .buffered
                ? NodeStart(start: 5_001, incarnation: 5_001, newIncarnationReason: .uncleanStop(bufferedTables: ["t"]))
                : NodeStart(start: 5_001, incarnation: 5_000, newIncarnationReason: nil)
            #expect(next == expected, "\(durability)")
            try node.close()
        }
        let directory = TemporaryDirectory("cairn-start")
        var node = try LMDBNode(directory, durability: .buffered)
        _ = try node.store.beginStart(wallClockMilliseconds: 5_000, bufferedTables: ["t"], freshCounter: 5_000)
        try node.close()
        node = try LMDBNode(directory, durability: .sync)
        #expect(try node.store.beginStart(wallClockMilliseconds: 5_100, bufferedTables: []).newIncarnationReason == .uncleanStop(bufferedTables: []),
            "a table buffered in the last run counts, though it is sync now")
        try node.close()
    }

    @Test("on LMDB, a wiped table, a wiped disk or a clock behind the last run begins a new incarnation")
    func wipesOnLMDB() throws {
        let directory = TemporaryDirectory("cairn-start")
        var node = try LMDBNode(directory, durability: .sync)
        _ = try node.store.beginStart(wallClockMilliseconds: 5_000, bufferedTables: [], freshCounter: 5_000)
        try node.store.stopCleanly(wallClockMilliseconds: 6_000)
        try node.close()
        try FileManager.default.removeItem(atPath: directory.child("t"))
        node = try LMDBNode(directory, durability: .sync)
        #expect(try node.store.beginStart(wallClockMilliseconds: 6_100, bufferedTables: [])
            == NodeStart(start: 5_001, incarnation: 5_001, newIncarnationReason: .tableNotStamped("t")))
        try node.store.stopCleanly(wallClockMilliseconds: 6_200)
        #expect(try node.store.beginStart(wallClockMilliseconds: 6_150, bufferedTables: [])
            == NodeStart(start: 5_002, incarnation: 5_002, newIncarnationReason: .clockBehind(recordedMilliseconds: 6_200, nowMilliseconds: 6_150)))
        try node.close()
        for name in ["t", "hints"] { try FileManager.default.removeItem(atPath: directory.child(name)) }
        node = try LMDBNode(directory, durability: .sync)
        #expect(try node.store.beginStart(wallClockMilliseconds: 1_000, bufferedTables: [], freshCounter: 77)
            == NodeStart(start: 77, incarnation: 77, newIncarnationReason: .noRecord), "a wiped disk starts from a fresh counter, whatever the clock")
        try node.close()
    }

    @Test("stopping without a start and naming an unknown buffered table are errors")
    func badCalls() throws {
        let directory = TemporaryDirectory("cairn-start")
        let node = try LMDBNode(directory, durability: .sync)
        #expect(throws: ReplicationError.self) { try node.store.stopCleanly(wallClockMilliseconds: 1) }
        #expect(throws: ReplicationError.unknownTable("nope")) {
            try node.store.beginStart(wallClockMilliseconds: 1, bufferedTables: ["nope"])
        }
        try node.close()
    }

    /// A 5-node cluster whose nodes run on memory engines through `EngineReplicaStore`, each begun by `beginStart`.
    static func cluster() throws -> (TestCluster, [NodeID: EngineReplicaStore]) {
        var stores: [NodeID: EngineReplicaStore] = [:]
        let cluster = try TestCluster(nodes: (1...5).map { NodeID("n\($0)") }) { node, ring in
            let store = EngineReplicaStore(partitionCount: ring.partitionCount, tables: [TestCluster.table: MemoryEngine()], hints: MemoryEngine())
            stores[node] = store
            return store
        }
        for node in cluster.nodeIDs { try restart(node, cluster, stores[node]!, cleanly: false) }
        return (cluster, stores)
    }

    /// Stops `node` (cleanly or not) and starts it with the counters `beginStart` chose; the table is buffered.
    @discardableResult
    static func restart(_ node: NodeID, _ cluster: TestCluster, _ store: EngineReplicaStore, cleanly: Bool) throws -> NodeStart {
        if cleanly { try store.stopCleanly(wallClockMilliseconds: cluster.now) }
        cluster.crash(node)
        let counters = try store.beginStart(wallClockMilliseconds: cluster.now, bufferedTables: [TestCluster.table])
        try cluster.start(node, as: counters)
        return counters
    }

    /// The actors in the version vector of the copy `store` holds for `key`.
    static func actors(of key: String, in store: EngineReplicaStore) throws -> [String] {
        let data = try #require(try store.load(table: TestCluster.table, key: Array(key.utf8)))
        return try SiblingSetCodec.decode(data).history.counters.keys.map(\.name).sorted()
    }

    @Test("200 clean restarts of every primary, each followed by a write with context, never grow the version vector")
    func cleanRestartsKeepVersionVectorsBounded() throws {
        let (cluster, stores) = try Self.cluster()
        let primaries = cluster.primaries(of: "cart")
        var last = ""
        for round in 1...200 {
            for primary in primaries {
                let counters = try Self.restart(primary, cluster, stores[primary]!, cleanly: true)
                #expect(counters.newIncarnationReason == nil, "round \(round) at \(primary)")
                let context = try #require(try cluster.get("cart", at: primary, readQuorum: 3)).context
                last = "v\(round)-\(primary)"
                #expect(try cluster.put(last, key: "cart", at: primary, context: context).isWritten, "round \(round) at \(primary)")
                try cluster.runFor(20)
            }
        }
        for primary in primaries {
            #expect(try Self.actors(of: "cart", in: stores[primary]!).count == primaries.count, "one entry per primary at \(primary)")
            #expect(try cluster.get("cart", at: primary, readQuorum: 3)?.values == [last])
        }
    }

    @Test("an unclean restart of a buffered table gets a new actor, and its write covers none of the old one's dots")
    func uncleanRestartGetsNewActor() throws {
        let (cluster, stores) = try Self.cluster()
        let primary = cluster.primaries(of: "cart")[0]
        #expect(try cluster.put("x1", key: "cart", at: primary).isWritten)
        try cluster.runFor(50)
        let before = try Self.restart(primary, cluster, stores[primary]!, cleanly: true)
        let after = try Self.restart(primary, cluster, stores[primary]!, cleanly: false)
        #expect(after.newIncarnationReason == .uncleanStop(bufferedTables: [TestCluster.table]))
        #expect(after.incarnation == before.incarnation + 1 && after.start == before.start + 1)
        #expect(try cluster.put("x2", key: "cart", at: primary).isWritten)
        try cluster.runFor(50)
        let actors = try Self.actors(of: "cart", in: stores[primary]!)
        #expect(actors == ["\(primary)/\(before.incarnation)", "\(primary)/\(after.incarnation)"])
        #expect(try cluster.get("cart", at: primary, readQuorum: 3)?.values == ["x1", "x2"], "a blind put keeps the earlier value")
    }

    @Test("a put forwarded after a clean restart of the forwarder, which keeps its actor, is applied (request ids carry the start)")
    func forwardAfterCleanRestart() throws {
        let (cluster, stores) = try Self.cluster()
        let outsider = cluster.outsider(of: "cart")
        #expect(try cluster.put("v1", key: "cart", at: outsider).isWritten)
        try cluster.runFor(50)
        let counters = try Self.restart(outsider, cluster, stores[outsider]!, cleanly: true)
        #expect(counters.newIncarnationReason == nil)
        #expect(try cluster.put("v2", key: "cart", at: outsider).isWritten)
        try cluster.runFor(50)
        #expect(try cluster.get("cart", at: cluster.primaries(of: "cart")[0], readQuorum: 3)?.values == ["v1", "v2"])
    }
}
