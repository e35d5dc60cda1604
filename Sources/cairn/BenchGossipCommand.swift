import ArgumentParser
import CairnBench

/// `cairn bench gossip`: rounds and messages for one committed join to reach every node, by cluster size.
struct BenchGossipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gossip",
        abstract: "Rounds and messages until simulated nodes converge after one committed join.")

    @Option(help: "Cluster sizes, comma-separated.")
    var nodes: String = "5,20,100,1000"
    @Option(help: "Runs (seeds) per size.")
    var seeds: Int = 3
    @Option(help: "First seed; run k uses seed + k.")
    var seed: UInt64 = 1
    @Option(help: "Peers each node sends its digest to per round.")
    var fanOut: Int = 3
    @Option(help: "Fraction of messages lost (0…0.5), drawn from the seed.")
    var loss: Double = 0

    func validate() throws {
        _ = try nodeCounts()
        guard (1...1_000).contains(seeds) else { throw ValidationError("--seeds \(seeds) must be 1…1000") }
        guard (1...GossipConvergence.fanOutMax).contains(fanOut) else {
            throw ValidationError("--fan-out \(fanOut) must be 1…\(GossipConvergence.fanOutMax)")
        }
        guard (0...GossipConvergence.lossProbabilityMax).contains(loss) else {
            throw ValidationError("--loss \(loss) must be 0…\(GossipConvergence.lossProbabilityMax)")
        }
    }

    private func nodeCounts() throws -> [Int] {
        let counts = nodes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--nodes must be comma-separated counts, not '\(nodes)'")
        }
        for count in counts.compactMap({ $0 }) where !(GossipConvergence.nodesMin...GossipConvergence.nodesMax).contains(count) {
            throw ValidationError("--nodes \(count) must be \(GossipConvergence.nodesMin)…\(GossipConvergence.nodesMax)")
        }
        return counts.compactMap { $0 }
    }

    func run() throws {
        let summaries = try GossipConvergence.summaries(
            nodeCounts: try nodeCounts(), seeds: seeds, firstSeed: seed, fanOut: fanOut, lossProbability: loss)
        print(
            "one join committed at one node; a round is one gossip interval; fan-out \(fanOut); loss \(loss);"
                + " \(seeds) seed(s) from \(seed)")
        print(GossipConvergence.table(summaries))
    }
}
