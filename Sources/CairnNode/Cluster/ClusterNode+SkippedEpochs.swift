import CairnCore
import CairnReplication

/// The moves a node owes when it adopts a ring more than one epoch ahead of its own (it was down, or cut off from
/// gossip, while rings were committed). The other nodes computed each step's moves from the rings in between,
/// which this node never saw: a move from it planned there (its partition to a node that entered the list in an
/// intermediate ring) is named by no move between its old ring and the new one, and nobody else sends it. So such
/// a node sends every partition it held in its old ring to every other node of the new ring's preference list
/// (arrival merges, so a holder that has the data loses nothing), and drops a partition only when each of them
/// acknowledged it (the usual drop rule). This costs a copy of the node's partitions per other holder, paid only
/// after a skipped epoch.
extension ClusterNode {
    /// Whether adopting a ring of `newEpoch` from `oldEpoch` skips at least one ring in between.
    static func skipsEpochs(from oldEpoch: UInt64, to newEpoch: UInt64) -> Bool {
        oldEpoch > 0 && newEpoch > oldEpoch + 1
    }

    /// Every partition `id` holds in `old`, of every table, to every other node of its preference list in `new`.
    func movesAfterSkippedEpochs(from old: Ring, to new: Ring) -> [Transfer.ID] {
        var moves: [Transfer.ID] = []
        for (table, settings) in replica.configuration.tables.sorted(by: { $0.key < $1.key }) {
            for partition in 0..<new.partitionCount
            where old.preferenceList(forPartition: partition, count: settings.replicas).contains(id) {
                for holder in new.preferenceList(forPartition: partition, count: settings.replicas) where holder != id {
                    moves.append(Transfer.ID(table: table, partition: partition, from: id, to: holder))
                }
            }
        }
        return moves
    }
}
