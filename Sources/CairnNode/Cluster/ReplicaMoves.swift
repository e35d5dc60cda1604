import CairnCore
import CairnReplication

/// The transfers a ring change needs, per table: for every partition, the nodes that enter its preference list
/// (of the table's N) each get the partition from a node that leaves it, or, when none leaves (the ring grew past
/// fewer than N members), from one that stays. A node that leaves a preference list with no one to take its place
/// (the ring shrank below N) sends to the new list's nodes in turn, so nothing it holds is dropped unsent.
///
/// Every node computes the same moves from the same two rings, so a sender and its receiver agree without asking.
public enum ReplicaMoves {
    /// The moves from `old` to `new` for one table of `replicas` copies, in partition order.
    public static func between(_ old: Ring, _ new: Ring, table: String, replicas: Int) -> [Transfer.ID] {
        precondition(old.partitionCount == new.partitionCount, "Q never changes")
        var moves: [Transfer.ID] = []
        for partition in 0..<new.partitionCount {
            let before = old.preferenceList(forPartition: partition, count: replicas)
            let after = new.preferenceList(forPartition: partition, count: replicas)
            let entering = after.filter { !before.contains($0) }
            let leaving = before.filter { !after.contains($0) }
            guard let staying = before.first(where: after.contains) ?? leaving.first else { continue }
            for (index, node) in entering.enumerated() {
                let from = index < leaving.count ? leaving[index] : staying
                moves.append(Transfer.ID(table: table, partition: partition, from: from, to: node))
            }
            for (index, node) in leaving.enumerated().dropFirst(entering.count) {
                moves.append(Transfer.ID(table: table, partition: partition, from: node, to: after[(index - entering.count) % after.count]))
            }
        }
        return moves
    }
}
