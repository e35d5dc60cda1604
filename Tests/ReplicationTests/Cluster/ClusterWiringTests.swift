import CairnCore
import CairnMembership
import CairnNode
import CairnReplication
import Testing

/// A cluster whose nodes run gossip, failure detection and transfers through `NodeShell` and `ClusterNode`, in
/// one process over `InMemoryCluster`: a join with its transfers, a dead node's writes through fallbacks, a table
/// created through the catalog.
@Suite("Cluster wiring")
struct ClusterWiringTests {
    static let table = "t"
    static let tables = [table: TableSettings(replicas: 3, readQuorum: 2, writeQuorum: 2)]
    static let first: [NodeID] = ["n1", "n2", "n3"]

    /// n1 founds the cluster, n2 and n3 join it through staged joins committed on n1, and every node converges.
    static func threeNodes(transferBytesPerSecond: Int? = nil) throws -> InMemoryCluster {
        let cluster = InMemoryCluster()
        cluster.transferBytesPerSecond = transferBytesPerSecond
        try cluster.addNode("n1", seeds: [], tables: tables)
        try cluster.addNode("n2", seeds: ["n1"], tables: tables)
        try cluster.addNode("n3", seeds: ["n1"], tables: tables)
        #expect(try cluster.run(upTo: 5_000) { cluster.member("n1").node.membership!.gossip.state.members.count == 3 })
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.stageJoin("n2")
            try gossip.stageJoin("n3")
            return try gossip.commit()
        }
        #expect(try cluster.run(upTo: 10_000) { first.allSatisfy { cluster.member($0).ringEpoch == 2 } }, "every node adopts the ring of n1's commit")
        return cluster
    }

    /// `threeNodes`, then n4 joins (staged and committed on n1) and every node adopts the ring of epoch 3.
    static func fourNodes() throws -> InMemoryCluster {
        let cluster = try threeNodes()
        try cluster.addNode("n4", seeds: ["n1"], tables: Self.tables)
        #expect(try cluster.run(upTo: 5_000) { cluster.member("n1").node.membership!.gossip.state.members["n4"]?.status == .joining })
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.stageJoin("n4")
            return try gossip.commit()
        }
        #expect(try cluster.run(upTo: 60_000) { (first + ["n4"]).allSatisfy { cluster.member($0).ringEpoch == 3 } })
        return cluster
    }

    /// Where `key` is stored (in its table engine, not as a hint).
    static func holders(of key: String, in cluster: InMemoryCluster) throws -> Set<NodeID> {
        var holders = Set<NodeID>()
        for (id, member) in cluster.members where try member.store.load(table: table, key: Array(key.utf8)) != nil {
            holders.insert(id)
        }
        return holders
    }

    @Test("a node joins through stageJoin, plan and commit: every key written before and during the join is readable with R = N and stored on exactly its new preference list")
    func joinMovesPartitions() throws {
        // Throttled (100 bytes/s), so the transfers last seconds and the writes below land behind their scans.
        let cluster = try Self.threeNodes(transferBytesPerSecond: 100)
        var written: [String: String] = [:]
        for index in 0..<60 {
            let key = "before-\(index)", value = "v\(index)"
            #expect(try cluster.put(at: Self.first[index % 3], table: Self.table, key: key, value: value) == .written(id: cluster.lastRequestID))
            written[key] = value
        }
        try cluster.addNode("n4", seeds: ["n2"], tables: Self.tables)
        #expect(try cluster.run(upTo: 5_000) { cluster.member("n1").node.membership!.gossip.state.members["n4"]?.status == .joining })
        // n3 hears no gossip for a while: it keeps coordinating by the old ring, so its writes reach old holders
        // that are already sending, and only their noting of each write (`noteWrite`) gets it to n4.
        cluster.gossipCutOff = ["n3"]
        var plan: ClusterPlan?
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.stageJoin("n4")
            plan = try gossip.plan()
            return try gossip.commit()
        }
        #expect(plan.map { !$0.moves.isEmpty && $0.moves.allSatisfy { $0.to == "n4" } } == true, "the plan moves partitions to n4 only")
        // Writes while the new ring spreads and the partitions move, at every node, the joiner included.
        let everyone = Self.first + ["n4"]
        for index in 0..<40 {
            let key = "during-\(index)", value = "w\(index)"
            try cluster.request(at: index % 2 == 0 ? "n3" : everyone[index % 4], table: Self.table, key: key, .put(value: Array(value.utf8), context: nil))
            written[key] = value
            try cluster.run(for: 50)
        }
        // And writes to keys the running scans have already passed (what `noteWrite` exists for).
        var behindScans = 0
        for sender: NodeID in ["n1", "n2"] {
            for transfer in cluster.member(sender).node.membership!.sender.transfers {
                let passed: ([UInt8]) -> Bool
                switch transfer.status {
                case .forwarding, .finishing: passed = { _ in true }
                case .scanning where transfer.lastKey != nil: passed = { Transfer.precedes($0, transfer.lastKey!) }
                default: continue
                }
                guard let key = (0..<20_000).map({ "behind-\($0)" }).first(where: {
                    Ring.partition(for: Array($0.utf8), partitionCount: InMemoryCluster.partitionCount) == transfer.id.partition
                        && passed(Array($0.utf8)) && written[$0] == nil
                }) else { continue }
                try cluster.request(at: "n3", table: Self.table, key: key, .put(value: Array("b".utf8), context: nil))
                written[key] = "b"
                behindScans += 1
            }
        }
        try cluster.run(for: 50)
        #expect(behindScans > 0, "some writes landed behind a running scan")
        #expect(cluster.member("n3").ringEpoch == 2, "n3 still routed by the old ring")
        #expect(everyone.contains { id in cluster.member(id).node.membership!.sender.transfers.contains { $0.dirtyKeys > 0 || $0.status != .done } },
            "transfers were still running while the writes came")
        cluster.gossipCutOff = []
        #expect(try cluster.run(upTo: 60_000) {
            everyone.allSatisfy { cluster.member($0).ringEpoch == 3 }
                && everyone.allSatisfy { id in cluster.member(id).node.membership!.sender.transfers.allSatisfy { $0.status == .done } }
        }, "the ring spreads and every transfer completes")
        let sent = everyone.flatMap { cluster.member($0).node.membership!.sender.transfers }
        #expect(sent.contains { $0.id.to == "n4" && $0.keys > 0 }, "n4 received stored copies")
        try cluster.run(for: 2_000)  // hints (if any) drain
        let ring = cluster.member("n1").node.replica.ring
        // Where the keys are stored is checked before any read: a read at R = N repairs the replicas it reads.
        for key in written.keys.sorted() {
            let expected = Set(ring.preferenceList(for: Array(key.utf8), count: 3))
            #expect(try Self.holders(of: key, in: cluster) == expected, "\(key) is stored on exactly its new preference list")
        }
        for (key, value) in written.sorted(by: { $0.key < $1.key }) {
            #expect(try cluster.values(at: everyone[key.count % 4], table: Self.table, key: key, readQuorum: 3) == [value], "\(key) reads back")
        }
        #expect(everyone.allSatisfy { cluster.member($0).node.replica.hints.isEmpty }, "no hint left")
        #expect(cluster.member("n1").node.membership!.gossip.state.liveTransfers.isEmpty, "every planned move is marked done")
    }

    @Test("a write from a coordinator on an older ring that reaches an old holder after its drop is handed to the new holders by the ownership check, and dropped there")
    func staleWriteAfterDropIsHandedOver() throws {
        let cluster = try Self.threeNodes()
        try cluster.addNode("n4", seeds: ["n1"], tables: Self.tables)
        #expect(try cluster.run(upTo: 5_000) { cluster.member("n1").node.membership!.gossip.state.members["n4"]?.status == .joining })
        // n3 hears no gossip: it stays on ring epoch 2 (n1, n2 and n3 hold every key) and coordinates by it.
        cluster.gossipCutOff = ["n3"]
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.stageJoin("n4")
            return try gossip.commit()
        }
        let current: [NodeID] = ["n1", "n2", "n4"]
        #expect(try cluster.run(upTo: 60_000) {
            current.allSatisfy { cluster.member($0).ringEpoch == 3 }
                && current.allSatisfy { id in cluster.member(id).node.membership!.sender.transfers.allSatisfy { $0.status == .done } }
        }, "n1, n2 and n4 adopt the new ring and finish their transfers")
        #expect(cluster.member("n3").ringEpoch == 2)
        let ring = cluster.member("n1").node.replica.ring
        // Keys n1 or n2 handed over (and dropped): n3's writes still go to them, and not to n4.
        let keys = (0..<2_000).map { "late-\($0)" }.filter { key in
            let list = ring.preferenceList(for: Array(key.utf8), count: 3)
            return list.contains("n3") && !(list.contains("n1") && list.contains("n2"))
        }.prefix(8)
        #expect(keys.count == 8)
        for key in keys {
            #expect(try Self.holders(of: key, in: cluster).isEmpty, "\(key) was never written")
            let id = try cluster.request(at: "n3", table: Self.table, key: key, .put(value: Array("late".utf8), context: nil), options: RequestOptions(writeQuorum: 3))
            #expect(try cluster.run(upTo: 2_000) { cluster.replies[id] != nil } && cluster.replies[id]?.reply == .written(id: id))
            #expect(try Self.holders(of: key, in: cluster) == ["n1", "n2", "n3"], "\(key): the old ring's holders took the write, an old holder among them")
        }
        cluster.gossipCutOff = []
        let everyone = current + ["n3"]
        #expect(try cluster.run(upTo: 60_000) {
            everyone.allSatisfy { cluster.member($0).ringEpoch == 3 }
                && everyone.allSatisfy { id in
                    let membership = cluster.member(id).node.membership!
                    return membership.sender.transfers.allSatisfy { $0.status == .done } && membership.ownership.isSettled(atEpoch: 3)
                }
        }, "the ring spreads, and every node's ownership check finds nothing left to hand over")
        for key in keys {
            #expect(try Self.holders(of: key, in: cluster) == Set(ring.preferenceList(for: Array(key.utf8), count: 3)),
                "\(key) is stored on exactly its preference list: the old holder handed it to n4 and dropped it")
        }
        for key in keys {
            #expect(try cluster.values(at: "n4", table: Self.table, key: key, readQuorum: 3) == ["late"], "\(key) reads back")
        }
    }

    @Test("a node the failure detector holds unreachable gets a fallback with a hint at once")
    func detectorFeedsFallbacks() throws {
        let cluster = try Self.fourNodes()
        let everyone = Self.first + ["n4"]
        cluster.crash("n2")
        let live: [NodeID] = ["n1", "n3", "n4"]
        #expect(try cluster.run(upTo: 30_000) { live.allSatisfy { cluster.member($0).node.replica.unreachable.contains("n2") } },
            "every live node's detector suspects n2, and its core knows")
        #expect(live.allSatisfy { cluster.member($0).node.replica.suspected.contains("n2") })
        let ring = cluster.member("n1").node.replica.ring
        let key = (0..<500).map { "k\($0)" }.first { ring.preferenceList(for: Array($0.utf8), count: 3).contains("n2") }!
        let id = try cluster.request(
            at: ring.preferenceList(for: Array(key.utf8), count: 3).first { $0 != "n2" }!, table: Self.table, key: key,
            .put(value: Array("x".utf8), context: nil), options: RequestOptions(writeQuorum: 3))
        let asked = cluster.now
        #expect(try cluster.run(upTo: 2_000) { cluster.replies[id] != nil })
        #expect(cluster.replies[id]?.reply == .written(id: id), "W = N is met with a fallback standing in for n2")
        #expect(cluster.replies[id]!.at - asked < 50, "the fallback was drafted at once, not after replicaTimeout (100 ms)")
        let hints = everyone.flatMap { cluster.member($0).shell.core.map { Array($0.hints.values) } ?? [] }
        #expect(hints.contains { $0.owner == "n2" && $0.key == Array(key.utf8) }, "a fallback holds the write as a hint for n2")
    }

    @Test("a hint held for a node that left the ring goes to the node that took its place, and is deleted on its ack")
    func hintsOfDepartedOwners() throws {
        let cluster = try Self.fourNodes()
        let live: [NodeID] = ["n1", "n3", "n4"]
        cluster.crash("n2")
        #expect(try cluster.run(upTo: 30_000) { live.allSatisfy { cluster.member($0).node.replica.unreachable.contains("n2") } })
        let ring = cluster.member("n1").node.replica.ring
        let key = (0..<500).map { "k\($0)" }.first { ring.preferenceList(for: Array($0.utf8), count: 3).contains("n2") }!
        let coordinator = ring.preferenceList(for: Array(key.utf8), count: 3).first { $0 != "n2" }!
        let id = try cluster.request(
            at: coordinator, table: Self.table, key: key, .put(value: Array("x".utf8), context: nil), options: RequestOptions(writeQuorum: 3))
        #expect(try cluster.run(upTo: 2_000) { cluster.replies[id] != nil } && cluster.replies[id]?.reply == .written(id: id))
        let holder = try #require(live.first { cluster.member($0).node.replica.hints.values.contains { $0.owner == "n2" } }, "a fallback holds a hint for n2")
        // n2 leaves while down: its hints can never be delivered to it.
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.stageLeave("n2")
            return try gossip.commit()
        }
        #expect(try cluster.run(upTo: 10_000) { live.allSatisfy { cluster.member($0).ringEpoch == 4 } })
        let newRing = cluster.member("n1").node.replica.ring
        let replacement = try #require(
            cluster.member(holder).node.replacement(ofDeparted: "n2", table: Self.table, key: Array(key.utf8)), "n2's moves name its replacement")
        #expect(newRing.preferenceList(for: Array(key.utf8), count: 3).contains(replacement), "the replacement is a holder in the new ring")
        #expect(try cluster.run(upTo: 5_000) { !cluster.member(holder).node.replica.hints.values.contains { $0.owner == "n2" } },
            "the hint is deleted once the replacement acknowledged it")
        #expect(try cluster.member(replacement).store.load(table: Self.table, key: Array(key.utf8)) != nil, "the replacement stores the hinted write")
    }

    @Test("a sender crashed in the middle of its transfers resumes them after a restart, and every key ends on exactly its new preference list")
    func senderCrashDuringTransfers() throws {
        let cluster = try Self.threeNodes(transferBytesPerSecond: 100)
        var written: [String: String] = [:]
        for index in 0..<60 {
            #expect(try cluster.put(at: Self.first[index % 3], table: Self.table, key: "k\(index)", value: "v\(index)") == .written(id: cluster.lastRequestID))
            written["k\(index)"] = "v\(index)"
        }
        try cluster.addNode("n4", seeds: ["n1"], tables: Self.tables)
        #expect(try cluster.run(upTo: 5_000) { cluster.member("n1").node.membership!.gossip.state.members["n4"]?.status == .joining })
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.stageJoin("n4")
            return try gossip.commit()
        }
        let everyone = Self.first + ["n4"]
        let partWay = { (node: NodeID) in cluster.member(node).node.membership!.sender.transfers.contains { $0.keys > 0 && $0.status != .done } }
        #expect(try cluster.run(upTo: 5_000) { Self.first.contains(where: partWay) })
        let crashed = try #require(Self.first.first(where: partWay), "a sender is part-way through its transfers")
        cluster.crash(crashed)
        try cluster.run(for: 300)
        try cluster.restart(crashed)
        #expect(cluster.member(crashed).node.membership!.sender.transfers.contains { $0.status != .done }, "its transfers resume from their records")
        #expect(try cluster.run(upTo: 120_000) {
            everyone.allSatisfy { cluster.member($0).ringEpoch == 3 }
                && everyone.allSatisfy { id in cluster.member(id).node.membership!.sender.transfers.allSatisfy { $0.status == .done } }
        }, "every transfer completes")
        try cluster.run(for: 2_000)
        let ring = cluster.member("n1").node.replica.ring
        for key in written.keys.sorted() {
            #expect(try Self.holders(of: key, in: cluster) == Set(ring.preferenceList(for: Array(key.utf8), count: 3)), "\(key) is stored on exactly its new preference list")
        }
        for (key, value) in written.sorted(by: { $0.key < $1.key }) {
            #expect(try cluster.values(at: "n4", table: Self.table, key: key, readQuorum: 3) == [value], "\(key) reads back")
        }
    }

    @Test("a node restarted over its stores routes by the ring it persisted at once and serves again")
    func restartFromPersistedState() throws {
        let cluster = try Self.fourNodes()
        #expect(try cluster.put(at: "n2", table: Self.table, key: "kept", value: "1") == .written(id: cluster.lastRequestID))
        cluster.crash("n1")
        try cluster.run(for: 500)
        try cluster.restart("n1")
        #expect(cluster.member("n1").ringEpoch == 3, "the persisted ring, before any gossip")
        #expect(cluster.member("n1").node.membership!.gossip.state.members.count == 4)
        try cluster.run(for: 5_000)
        #expect((Self.first + ["n4"]).allSatisfy { cluster.member($0).node.replica.unreachable.isEmpty }, "every node holds n1 alive again")
        #expect(try cluster.values(at: "n1", table: Self.table, key: "kept", readQuorum: 3) == ["1"])
        #expect(try cluster.put(at: "n1", table: Self.table, key: "after", value: "2") == .written(id: cluster.lastRequestID))
    }

    @Test("a table created on node 1 reaches every node through the gossiped catalog and serves reads and writes there")
    func catalogOpensTables() throws {
        let cluster = try Self.threeNodes()
        try cluster.addNode("n4", seeds: ["n3"], tables: Self.tables)
        try cluster.member("n1").shell.onAdmin(now: cluster.now) { gossip throws(GossipError) in
            try gossip.createTable(TableDefinition(name: "cart", replicas: 3, readQuorum: 2, writeQuorum: 2))
        }
        #expect(try cluster.run(upTo: 10_000) { cluster.member("n4").node.replica.configuration.tables["cart"] != nil }, "n4 serves cart")
        #expect(cluster.member("n4").node.membership!.receiver.policies["cart"] == .siblings)
        #expect(cluster.member("n4").store.tableNames.contains("cart"), "n4 opened an engine for cart")
        #expect(try cluster.member("n4").store.storedClusterState() == cluster.member("n4").node.membership!.gossip.state,
            "the gossiped state n4 holds is the one it persisted, and reads back for a restart")
        #expect(try cluster.put(at: "n1", table: "cart", key: "apples", value: "3") == .written(id: cluster.lastRequestID))
        #expect(try cluster.values(at: "n2", table: "cart", key: "apples", readQuorum: 3) == ["3"])
    }
}
