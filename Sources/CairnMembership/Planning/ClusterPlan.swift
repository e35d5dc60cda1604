import CairnCore

/// One partition changing owner in a plan.
public struct PartitionMove: Hashable, Sendable, CustomStringConvertible {
    public let partition: Int
    public let from: NodeID
    public let to: NodeID

    public var description: String { "partition \(partition): \(from) → \(to)" }
}

/// What a commit would do: the staged joins and leaves, the ring it would install at `epoch`, and the partitions
/// that change owner. `placementConflicts` counts pairs of nearby partitions that share a node or a zone the
/// planner could not separate (0 when N distinct nodes and zones hold everywhere the zones allow).
public struct ClusterPlan: Equatable, Sendable {
    public let joins: [NodeID]
    public let leaves: [NodeID]
    public let epoch: UInt64
    public let ring: Ring
    public let moves: [PartitionMove]
    public let placementConflicts: Int

    /// A few lines for an operator, like `riak-admin cluster plan`.
    public var summary: String {
        var lines = ["epoch \(epoch): join \(joins.map(\.name)), leave \(leaves.map(\.name)), \(moves.count) partitions move"]
        var byPair = [String: Int]()
        for move in moves { byPair["\(move.from) → \(move.to)", default: 0] += 1 }
        lines += byPair.sorted { $0.key < $1.key }.map { "  \($0.value) partitions \($0.key)" }
        if placementConflicts > 0 { lines.append("  \(placementConflicts) neighbouring partitions share a node or zone") }
        return lines.joined(separator: "\n")
    }
}
