import CairnBench
import Testing

/// The gossip benchmark's driver: a committed join reaches every node, the counts add up, bad sizes are refused.
@Suite("Gossip convergence benchmark")
struct GossipConvergenceTests {
    @Test("a join committed at one node reaches all of 5 and 30 nodes, and the same seed gives the same run", arguments: [5, 30])
    func converges(nodes: Int) throws {
        let run = try GossipConvergence.run(nodes: nodes, seed: 3, partitionCount: 64)
        #expect(run.rounds >= 1 && run.rounds < 20)
        #expect(run.messages >= nodes - 1, "every other node needed at least one message")
        #expect(run.bytes > run.messages * 9)
        let again = try GossipConvergence.run(nodes: nodes, seed: 3, partitionCount: 64)
        #expect((again.rounds, again.messages, again.bytes) == (run.rounds, run.messages, run.bytes))
    }

    @Test("the table has a row per size with log2(n) beside the rounds")
    func table() throws {
        let summaries = try GossipConvergence.summaries(nodeCounts: [4, 8], seeds: 2, firstSeed: 1, partitionCount: 64)
        let lines = GossipConvergence.table(summaries).split(separator: "\n")
        #expect(lines.count == 3 && lines[0].contains("log2(n)"))
        #expect(lines[1].hasPrefix("    4      2.0") && lines[2].hasPrefix("    8      3.0"))
    }

    @Test("a cluster size or loss out of range is refused, naming the range")
    func refusesBadSizes() {
        #expect(throws: GossipConvergence.Failure.self) { _ = try GossipConvergence.run(nodes: 1, seed: 1) }
        do {
            _ = try GossipConvergence.run(nodes: 5_000, seed: 1)
            Issue.record("5000 nodes accepted")
        } catch {
            #expect("\(error)" == "--nodes 5000 must be 2…1023")
        }
        do {
            _ = try GossipConvergence.run(nodes: 5, seed: 1, lossProbability: 0.9, partitionCount: 64)
            Issue.record("a loss of 0.9 accepted")
        } catch {
            #expect("\(error)" == "--loss 0.9 must be 0…0.5")
        }
    }
}
