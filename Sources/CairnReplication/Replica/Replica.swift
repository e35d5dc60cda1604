import CairnCore

/// The replica side's state machine: merging writes a coordinator sends into the stored copy (or holding them as
/// hints, as a fallback, see `Hints`), answering reads with the stored copy, removing reaped tombstones, and
/// quarantining stored copies that do not decode. The handlers are in `ReplicaNode+Replica.swift`,
/// `ReplicaNode+LocalCopies.swift` and `ReplicaNode+Quarantine.swift`.
public enum Replica {
    /// What the replica side keeps in memory.
    struct State {
        /// The fresh actor of each key quarantined in this start (see `ReplicaNode+Quarantine`).
        var quarantineActors: [OneShotCopies.Slot: NodeID] = [:]
        /// The fresh actor of each partition dropped in this start (see `ReplicaNode+DroppedPartitions`).
        var droppedPartitionActors: [DroppedPartition: NodeID] = [:]
    }

    /// What a coordinator asks a replica. Acknowledgements and replies go back as `Coordinator.Message`s.
    public enum Message: Hashable, Sendable {
        /// Merge `data` into your copy of the key (or, with `hintFor`, hold it as a hint for that owner); ack it.
        case put(id: RequestID, table: String, key: [UInt8], data: [UInt8], hintFor: NodeID?)
        /// Send your copy of the key (a fallback sends the hint it holds, if any).
        case get(id: RequestID, table: String, key: [UInt8])
        /// Remove the key if your copy is still exactly the tombstones of `history`.
        case reap(table: String, key: [UInt8], history: [UInt8])
        /// Drop each version-vector entry of `entries` your copy still holds with that counter and no sibling of.
        case prune(table: String, key: [UInt8], entries: [UInt8])
    }
}
