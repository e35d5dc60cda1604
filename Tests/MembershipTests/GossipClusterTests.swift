import CairnBench
import CairnCore
import CairnMembership
import Testing

/// Gossip over a small deterministic network with seeded loss and delay: nodes find each other, converge on
/// one state after a committed join, merge concurrent joins and commits, and refute a false `down`.
@Suite("Gossip membership")
struct GossipClusterTests {
    static let settings = GossipSettings(fanOut: 3, partitionCount: 64, replicaCount: 3)

    /// A founder `n0` and `count − 1` nodes seeded with it, run until every node knows every other.
    static func announcedCluster(_ count: Int, loss: Double = 0.05, delay: Int = 2, seed: UInt64 = 1) throws -> GossipNetwork {
        var network = GossipNetwork(lossProbability: loss, delayRoundsMax: delay, seed: seed)
        for index in 0..<count {
            let name = NodeID("n\(index)")
            let configuration = GossipNodeConfiguration(name: name, zone: "z\(index % 3)", seeds: index == 0 ? [] : ["n0"])
            network.add(try GossipNode(configuration: configuration, settings: settings, seed: seed &+ UInt64(index)))
        }
        try converge(&network, roundsMax: 100)
        return network
    }

    /// Runs until converged; the rounds it took, or a test failure after `roundsMax`.
    @discardableResult
    static func converge(_ network: inout GossipNetwork, roundsMax: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let rounds = network.runUntilConverged(roundsMax: roundsMax)
        return try #require(rounds, "converged within \(roundsMax) rounds", sourceLocation: sourceLocation)
    }

    @Test("20 nodes converge on one state after a join committed at one node, under 5% loss and delay", arguments: [1, 2, 3] as [UInt64])
    func twentyNodesConverge(seed: UInt64) throws {
        var network = try Self.announcedCluster(20, seed: seed)
        #expect(network.nodes.allSatisfy { $0.state.members.count == 20 })
        #expect(network.node("n5").state.members["n5"]?.status == .joining)
        try network.act(at: "n0") { node in
            for index in 1..<20 { try node.stageJoin(NodeID("n\(index)")) }
            let plan = try node.plan()
            #expect(plan.epoch == 2 && plan.moves.count == 64 - 64 / 20 - (64 % 20 > 0 ? 1 : 0))
            return try node.commit()
        }
        #expect(!network.isConverged)
        let rounds = try Self.converge(&network, roundsMax: 100)
        #expect(rounds >= 2)
        let reference = network.node("n0").state
        #expect(network.nodes.allSatisfy { $0.state == reference }, "equal digests mean equal states")
        #expect(reference.epoch == 2 && reference.ring?.ring.members.count == 20)
        #expect(reference.members.values.allSatisfy { $0.status == .valid })
        #expect(reference.liveTransfers.count == reference.transfers.count && reference.transfers.count > 0)
        #expect(network.messagesLost > 0, "the network did lose messages")
    }

    @Test("two nodes joining through different members both reach everyone; concurrent commits settle on one")
    func concurrentJoinsAndCommits() throws {
        var network = try Self.announcedCluster(3, loss: 0, delay: 0)
        try network.act(at: "n0") { node in
            try node.stageJoin("n1")
            try node.stageJoin("n2")
            return try node.commit()
        }
        try Self.converge(&network, roundsMax: 50)
        // x joins through n1, y through n2, in the same rounds.
        for (name, seed) in [("x", "n1"), ("y", "n2")] {
            network.add(try GossipNode(configuration: GossipNodeConfiguration(name: NodeID(name), seeds: [NodeID(seed)]), settings: Self.settings, seed: 9))
        }
        try Self.converge(&network, roundsMax: 50)
        #expect(network.nodes.allSatisfy { $0.state.members["x"]?.status == .joining && $0.state.members["y"]?.status == .joining })
        // n0 commits x's join while n1 commits y's, before either hears of the other.
        try network.act(at: "n0") { node in try node.stageJoin("x"); return try node.commit() }
        try network.act(at: "n1") { node in try node.stageJoin("y"); return try node.commit() }
        try Self.converge(&network, roundsMax: 50)
        let settled = network.node("n0").state
        #expect(settled.epoch == 3 && settled.ring?.commit.committer == "n1", "the greater commit wins everywhere")
        #expect(network.node("n0").staged.joins == ["x"], "the losing committer has its join staged again")
        #expect(network.logLines.contains { $0.node == "n0" && $0.text.contains("lost to n1") })
        try network.act(at: "n0") { node in try node.commit() }
        try Self.converge(&network, roundsMax: 50)
        let final = network.node("x").state
        #expect(final.epoch == 4 && Set(final.ring!.ring.members.map(\.id)) == ["n0", "n1", "n2", "x", "y"])
        #expect(network.nodes.allSatisfy { $0.state == final })
    }

    @Test("two nodes committing the same join at once settle on one ring; the re-staged join is then nothing to commit")
    func sameJoinCommittedTwice() throws {
        var network = try Self.announcedCluster(4, loss: 0, delay: 0)
        try network.act(at: "n0") { node in
            for index in 1..<3 { try node.stageJoin(NodeID("n\(index)")) }
            return try node.commit()
        }
        try Self.converge(&network, roundsMax: 50)
        try network.act(at: "n0") { node in try node.stageJoin("n3"); return try node.commit() }
        try network.act(at: "n2") { node in try node.stageJoin("n3"); return try node.commit() }
        try Self.converge(&network, roundsMax: 50)
        let settled = network.node("n1").state
        #expect(settled.epoch == 3 && settled.ring?.commit.committer == "n2")
        #expect(settled.ring!.ring.members.contains { $0.id == "n3" })
        let loser = network.node("n0")
        #expect(loser.staged.joins == ["n3"])
        #expect(throws: GossipError.refused("the staged changes are already in the ring of epoch 3: nothing to commit")) {
            _ = try loser.plan()
        }
    }

    @Test("a member marked down refutes it by gossiping a newer version; a stopped one stays down")
    func downIsRefuted() throws {
        var network = try Self.announcedCluster(6, loss: 0.05, delay: 1, seed: 4)
        let before = try #require(network.node("n0").state.members["n3"]?.version)
        network.stopped.insert("n4")
        try network.act(at: "n1") { node in
            _ = try node.markDown("n4")
            return try node.markDown("n3")
        }
        #expect(network.node("n1").state.members["n3"]?.status == .down)
        try Self.converge(&network, roundsMax: 100)
        let settled = network.node("n0").state
        #expect(settled.members["n3"]?.status == .joining, "n3 is back as it was")
        #expect(settled.members["n3"]!.version == before + 2, "one version for the down, one for the refutation")
        #expect(settled.members["n4"]?.status == .down)
        #expect(network.logLines.contains { $0.node == "n3" && $0.text.contains("refuted down") })
    }

    @Test("a table created on one node reaches every node; a drop at another node follows it")
    func catalogSpreads() throws {
        var network = try Self.announcedCluster(12, seed: 5)
        let table = TableDefinition(name: "orders", engine: "lmdb", replicas: 3, readQuorum: 2, writeQuorum: 2, policy: "lww", durability: "sync")
        try network.act(at: "n7") { node in try node.createTable(table) }
        #expect(network.node("n2").state.tables["orders"] == nil)
        try Self.converge(&network, roundsMax: 100)
        #expect(network.nodes.allSatisfy { $0.state.tables == ["orders": table] })
        try network.act(at: "n2") { node in try node.dropTable(named: "orders") }
        try Self.converge(&network, roundsMax: 100)
        #expect(network.nodes.allSatisfy { $0.state.tables.isEmpty && $0.state.catalog["orders"]?.dropped == true })
    }

    @Test("a leave staged and committed makes the leaver leaving, with transfers away from it")
    func stagedLeave() throws {
        var network = try Self.announcedCluster(5, loss: 0, delay: 0)
        try network.act(at: "n0") { node in
            for index in 1..<5 { try node.stageJoin(NodeID("n\(index)")) }
            return try node.commit()
        }
        try Self.converge(&network, roundsMax: 50)
        var plan: ClusterPlan?
        try network.act(at: "n2") { node in
            try node.stageLeave("n3")
            plan = try node.plan()
            return try node.commit()
        }
        try Self.converge(&network, roundsMax: 50)
        let state = network.node("n4").state
        let moves = try #require(plan?.moves)
        #expect(!moves.isEmpty && moves.allSatisfy { $0.from == "n3" })
        #expect(state.members["n3"]?.status == .leaving)
        let leaveCommit = try #require(state.ring?.commit)
        #expect(state.liveTransfers.filter { $0.key.commit == leaveCommit }.map(\.partition) == moves.map(\.partition).sorted())
        #expect(!state.ring!.ring.members.contains { $0.id == "n3" })
    }

    @Test("bad configurations and admin actions get a one-line error")
    func refusals() throws {
        let bad: [(GossipNodeConfiguration, GossipSettings, String)] = [
            (GossipNodeConfiguration(name: "a", seeds: []), GossipSettings(fanOut: 0), "fan-out 0 must be 1…fanOutMax 16"),
            (GossipNodeConfiguration(name: "a", seeds: ["a"]), GossipSettings(), "node a lists itself as a seed"),
            (GossipNodeConfiguration(name: "a", weight: 0, seeds: []), GossipSettings(), "member a: weight 0 must be 1…1000"),
            (GossipNodeConfiguration(name: "a", seeds: []), GossipSettings(partitionCount: 10), "partition count 10 must be 64…1024"),
        ]
        for (configuration, settings, message) in bad {
            #expect(throws: GossipError.invalidConfiguration(message)) {
                _ = try GossipNode(configuration: configuration, settings: settings, seed: 1)
            }
        }
        var node = try GossipNode(configuration: GossipNodeConfiguration(name: "a", seeds: []), seed: 1)
        #expect(throws: GossipError.refused("nothing staged: stage a join or a leave first")) { _ = try node.plan() }
        #expect(throws: GossipError.refused("cannot stage join of b: not a known member")) { try node.stageJoin("b") }
        #expect(throws: GossipError.refused("cannot stage leave of a: it is the last member of the ring")) { try node.stageLeave("a") }
        #expect(throws: GossipError.refused("a node cannot mark itself down")) { _ = try node.markDown("a") }
        #expect(node.state.epoch == 1 && node.staged.isEmpty)
    }
}
