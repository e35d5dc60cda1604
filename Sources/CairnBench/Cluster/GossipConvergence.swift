import CairnCore
import CairnMembership
import Foundation

/// The gossip convergence benchmark: `nodes` simulated nodes hold one converged state, one of them (drawn by
/// the seed) commits a staged join of a waiting node, and the rounds and messages until every node holds the
/// same state again are counted. Gossip should spread a change in O(log n) rounds.
public enum GossipConvergence {
    /// One run's figures.
    public struct Run: Sendable {
        public let nodes: Int
        public let seed: UInt64
        public let rounds: Int
        public let messages: Int
        public let bytes: Int
    }

    /// Figures over several seeds for one cluster size.
    public struct Summary: Sendable {
        public let nodes: Int
        public let runs: [Run]

        public var log2Nodes: Double { log2(Double(nodes)) }
        public var roundsMin: Int { runs.map(\.rounds).min()! }
        public var roundsMax: Int { runs.map(\.rounds).max()! }
        public var roundsMean: Double { Double(runs.map(\.rounds).reduce(0, +)) / Double(runs.count) }
        public var messagesMean: Double { Double(runs.map(\.messages).reduce(0, +)) / Double(runs.count) }
        public var messagesPerNode: Double { messagesMean / Double(nodes) }
        public var bytesMean: Double { Double(runs.map(\.bytes).reduce(0, +)) / Double(runs.count) }
    }

    public static let nodesMin = 2
    public static let nodesMax = ClusterStateLimits.membersMax - 1
    public static let fanOutMax = GossipSettings.fanOutMax
    /// Rounds after which a run counts as not converged (an error, not a figure).
    public static let roundsMax = 500

    /// Why a run could not give a figure.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Highest message loss a run may play.
    public static let lossProbabilityMax = 0.5

    /// One run: `nodes` members (the last one `joining`), a commit at one of the others, rounds to converge, with
    /// `lossProbability` of the messages lost. The ring has the most partitions a ring may have, unless
    /// `partitionCount` says fewer.
    public static func run(
        nodes: Int, seed: UInt64, fanOut: Int = 3, lossProbability: Double = 0, partitionCount: Int = Ring.partitionCountMax
    ) throws -> Run {
        guard (nodesMin...nodesMax).contains(nodes) else {
            throw Failure(description: "--nodes \(nodes) must be \(nodesMin)…\(nodesMax)")
        }
        guard (0...lossProbabilityMax).contains(lossProbability) else {
            throw Failure(description: "--loss \(lossProbability) must be 0…\(lossProbabilityMax)")
        }
        let settings = GossipSettings(fanOut: fanOut, partitionCount: partitionCount)
        let names = (0..<nodes).map { NodeID("node\($0)") }
        var state = ClusterState()
        for (index, name) in names.enumerated() {
            try state.put(MemberRecord(name: name, zone: "zone\(index % 3)", weight: 1, status: index == nodes - 1 ? .joining : .valid, version: 1))
        }
        let ringMembers = names.dropLast().enumerated().map { RingMember($1, zone: "zone\($0 % 3)") }
        let ring = PartitionPlanner.initialRing(
            partitionCount: settings.partitionCount, members: Array(ringMembers), replicaCount: settings.replicaCount)
        try state.commit(ring: ring, by: names[0], transfers: [])
        var network = GossipNetwork(lossProbability: lossProbability, seed: seed)
        for (index, name) in names.enumerated() {
            let configuration = GossipNodeConfiguration(
                name: name, zone: "zone\(index % 3)", seeds: index == 0 ? [names[1]] : [names[0]])
            network.add(try GossipNode(configuration: configuration, settings: settings, seed: seed &+ UInt64(index), restoredState: state))
        }
        guard network.isConverged else { throw Failure(description: "the nodes did not start from one state") }
        var chooser = SplitMix64(seed: seed)
        let committer = names[chooser.next(below: nodes - 1)]
        let sentBefore = network.messagesSent, bytesBefore = network.bytesSent
        try network.act(at: committer) { node in
            try node.stageJoin(names[nodes - 1])
            return try node.commit()
        }
        guard let rounds = network.runUntilConverged(roundsMax: roundsMax) else {
            throw Failure(description: "\(nodes) nodes did not converge within \(roundsMax) rounds (seed \(seed))")
        }
        return Run(
            nodes: nodes, seed: seed, rounds: rounds, messages: network.messagesSent - sentBefore,
            bytes: network.bytesSent - bytesBefore)
    }

    /// Runs every size over `seeds` seeds starting at `firstSeed`.
    public static func summaries(
        nodeCounts: [Int], seeds: Int, firstSeed: UInt64, fanOut: Int = 3, lossProbability: Double = 0,
        partitionCount: Int = Ring.partitionCountMax
    ) throws -> [Summary] {
        try nodeCounts.map { nodes in
            let runs = try (0..<seeds).map {
                try run(
                    nodes: nodes, seed: firstSeed &+ UInt64($0), fanOut: fanOut, lossProbability: lossProbability,
                    partitionCount: partitionCount)
            }
            return Summary(nodes: nodes, runs: runs)
        }
    }

    /// The table the command prints.
    public static func table(_ summaries: [Summary]) -> String {
        var lines = ["nodes  log2(n)  rounds mean (min–max)  rounds/log2(n)  messages  messages/node  KiB sent"]
        for summary in summaries {
            lines.append(
                [
                    pad("\(summary.nodes)", 5), pad(format(summary.log2Nodes, 1), 7),
                    pad("\(format(summary.roundsMean, 1)) (\(summary.roundsMin)–\(summary.roundsMax))", 21),
                    pad(format(summary.roundsMean / summary.log2Nodes, 2), 14), pad(format(summary.messagesMean, 0), 8),
                    pad(format(summary.messagesPerNode, 1), 13), pad(format(summary.bytesMean / 1_024, 0), 8),
                ].joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }

    private static func format(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
