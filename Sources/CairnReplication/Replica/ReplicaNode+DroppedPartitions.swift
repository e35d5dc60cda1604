import CairnCore

/// Partitions this node handed over and dropped (a transfer's `dropPartition`, issue 9).
///
/// A dropped partition's keys lost their local history here, exactly as a quarantined key did: the node's dots
/// for them live on only in other nodes' copies. If a later ring gives the partition back and the node
/// coordinates a write to one of those keys before a transfer brought the copies back, its old actor would take
/// a clock-scaled counter (`countersPerMillisecond`) that dominates every dot it issued there before, and the
/// acknowledged siblings they name would be dropped on the next merge (found by membership seeds 2 and 21).
/// So from the drop on, the node numbers writes to that partition's keys under a **fresh per-partition actor**,
/// `node/incarnation/d<start>.<n>` (`n` counts this start's drops, so a partition dropped twice gets a second
/// actor). The map is volatile; the shell's drop marks the node's start record, so the next start begins a new
/// incarnation (`NewIncarnationReason.droppedPartition`), as after a quarantine.
extension ReplicaNode {
    /// Records that this node dropped `table`'s `partition`: its later writes to keys there use a fresh actor.
    /// Call with the drop itself. The map holds one actor per table and partition, so it is bounded by the
    /// catalog's `tablesMax` times the ring's partition count.
    public mutating func onPartitionDropped(table: String, partition: Int) {
        precondition((0..<ring.partitionCount).contains(partition), "a dropped partition is one of the ring's")
        droppedPartitionCount += 1
        replica.droppedPartitionActors[DroppedPartition(table: table, partition: partition)] =
            NodeID("\(configuration.actor)/d\(configuration.start).\(droppedPartitionCount)")
    }

    /// The fresh actor of the dropped partition `key` lies in, if this node dropped it in this start.
    func droppedPartitionActor(table: String, key: [UInt8]) -> NodeID? {
        guard !replica.droppedPartitionActors.isEmpty, !mutant(.droppedPartitionKeepsActor) else { return nil }
        let partition = Ring.partition(for: key, partitionCount: ring.partitionCount)
        return replica.droppedPartitionActors[DroppedPartition(table: table, partition: partition)]
    }
}

/// One table's partition, as dropped by this node.
struct DroppedPartition: Hashable, Sendable {
    var table: String
    var partition: Int
}
