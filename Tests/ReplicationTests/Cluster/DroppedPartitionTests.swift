import CairnCore
import CairnMembership
import CairnNode
import CairnReplication
import MemoryEngine
import Testing

/// A node that handed a partition over and dropped it, then got it back: its writes there before the copies
/// return must not supersede the writes it coordinated before the drop (membership seeds 2 and 21).
@Suite("Dropped partitions")
struct DroppedPartitionTests {
    static let table = "one"
    /// One copy per key, so the node that gets a partition back is its only holder and coordinates alone.
    static let tables = [table: TableSettings(replicas: 1, readQuorum: 1, writeQuorum: 1)]

    @Test("a node that dropped a partition and gets it back keeps the writes it coordinated before the drop beside its new ones")
    func writesBeforeTheDropSurviveTheReturn() throws {
        let cluster = InMemoryCluster()
        try cluster.addNode("n1", seeds: [], tables: Self.tables)
        #expect(try cluster.run(upTo: 2_000) { cluster.member("n1").ringEpoch >= 1 })
        let keys = (0..<40).map { "k\($0)" }
        for key in keys {
            #expect(try cluster.put(at: "n1", table: Self.table, key: key, value: "before-\(key)") == .written(id: cluster.lastRequestID))
        }
        // n2 joins: the partitions it takes are sent to it, and n1 drops them.
        try cluster.addNode("n2", seeds: ["n1"], tables: Self.tables)
        #expect(try cluster.run(upTo: 5_000) { cluster.member("n1").node.membership!.gossip.state.members["n2"]?.status == .joining })
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.stageJoin("n2")
            return try gossip.commit()
        }
        let ring = cluster.member("n1").node.replica.ring
        let moved = keys.filter { ring.preferenceList(for: Array($0.utf8), count: 1) == ["n2"] }
        try #require(!moved.isEmpty, "the join moves some keys to n2")
        #expect(try cluster.run(upTo: 60_000) {
            moved.allSatisfy { key in
                do { return try cluster.member("n1").store.load(table: Self.table, key: Array(key.utf8)) == nil } catch { return false }
            }
        }, "n1 handed the moved keys over and dropped them")
        #expect(cluster.member("n1").node.replica.droppedPartitionCount > 0)
        // n2 leaves: n1 owns every partition again at once, and writes to the moved keys before n2 sends them back.
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.stageLeave("n2")
            return try gossip.commit()
        }
        for key in moved {
            #expect(try cluster.member("n1").store.load(table: Self.table, key: Array(key.utf8)) == nil, "n2 has not sent \(key) back yet")
            try cluster.request(at: "n1", table: Self.table, key: key, .put(value: Array("after-\(key)".utf8), context: nil))
        }
        #expect(try cluster.run(upTo: 60_000) {
            cluster.member("n2").node.membership!.sender.transfers.allSatisfy { $0.status == .done }
                && cluster.member("n1").node.membership!.gossip.state.liveTransfers.isEmpty
        }, "n2 sends every partition back")
        // Blind puts: each moved key holds both values, the one written before the drop and the one after.
        for key in moved {
            #expect(try cluster.values(at: "n1", table: Self.table, key: key, readQuorum: 1) == ["before-\(key)", "after-\(key)"],
                "\(key) keeps its write from before the drop")
        }
    }

    @Test("a drop marks the start record: the next start, even after a clean stop, begins a new incarnation")
    func dropBeginsANewIncarnationAtTheNextStart() throws {
        let store = EngineReplicaStore(partitionCount: 64, tables: [Self.table: MemoryEngine()], hints: MemoryEngine())
        _ = try store.beginStart(wallClockMilliseconds: 1_000, bufferedTables: [], freshCounter: 7)
        try store.stopCleanly(wallClockMilliseconds: 1_100)
        #expect(try store.beginStart(wallClockMilliseconds: 1_200, bufferedTables: []) == NodeStart(start: 8, incarnation: 7, newIncarnationReason: nil))
        try store.perform(Transfer.Directive.dropPartition(table: Self.table, partition: 3))
        try store.stopCleanly(wallClockMilliseconds: 1_300)
        #expect(try store.beginStart(wallClockMilliseconds: 1_400, bufferedTables: [])
            == NodeStart(start: 9, incarnation: 8, newIncarnationReason: .droppedPartition))
        try store.stopCleanly(wallClockMilliseconds: 1_500)
        #expect(try store.beginStart(wallClockMilliseconds: 1_600, bufferedTables: []) == NodeStart(start: 10, incarnation: 8, newIncarnationReason: nil),
            "the new incarnation starts unmarked")
    }
}
