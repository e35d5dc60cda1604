import CairnBench
import CairnCore
import CairnMembership
import Testing

/// Seeded random admin actions at random nodes (tables created and dropped, members marked down, joins and leaves
/// committed, transfers advanced) while gossip loses 10% of messages and delays others: once the actions stop,
/// every node converges on one state and no running node stays marked down.
@Suite("Gossip under random actions")
struct GossipRandomActionsTests {
    @Test("random actions during lossy gossip converge to one state", arguments: 0..<12)
    func converges(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var network = GossipNetwork(lossProbability: 0.1, delayRoundsMax: 3, seed: seed)
        let names = (0..<8).map { NodeID("n\($0)") }
        for (index, name) in names.enumerated() {
            let configuration = GossipNodeConfiguration(name: name, zone: "z\(index % 3)", seeds: index == 0 ? [] : ["n0"])
            network.add(try GossipNode(configuration: configuration, seed: seed &+ UInt64(index)))
        }
        var refusals = 0
        for _ in 0..<25 {
            let actor = names[random.next(below: names.count)]
            let other = names[random.next(below: names.count)]
            let table = "t\(random.next(below: 3))"
            do {
                try network.act(at: actor) { (node: inout GossipNode) throws(GossipError) -> [GossipDirective] in
                    switch random.next(below: 5) {
                    case 0: return try node.createTable(TableDefinition(name: table))
                    case 1: return try node.dropTable(named: table)
                    case 2: return try node.markDown(other)
                    case 3:
                        try node.stageJoin(other)
                        return try node.commit()
                    default:
                        guard let transfer = node.state.liveTransfers.first else { throw .refused("no transfer") }
                        return try node.advanceTransfer(transfer.key, to: .done)
                    }
                }
            } catch {
                refusals += 1  // a refused action (table exists, not joining …) changes nothing
            }
            for _ in 0..<random.next(below: 3) { network.runRound() }
        }
        #expect(refusals < 25, "some actions took effect")
        let rounds = network.runUntilConverged(roundsMax: 200)
        #expect(rounds != nil, "seed \(seed) converged")
        let reference = network.nodes[0].state
        #expect(network.nodes.allSatisfy { $0.state == reference })
        #expect(reference.members.values.allSatisfy { $0.status != .down }, "every running node refuted its down")
        #expect(reference.members.count == names.count)
    }
}
