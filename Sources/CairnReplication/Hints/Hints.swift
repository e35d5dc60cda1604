import CairnCore

/// Hinted handoff, the hint holder's state machine: a fallback that took a write for an unreachable owner holds
/// it as a `Hint` (one per owner, table and key, mirrored durably through `persistHint` and `removeHint`), offers
/// it to the owner every `hintDeliveryInterval`, and deletes it only once the owner acknowledged that very data.
/// The handlers are in `ReplicaNode+Hints.swift`.
public enum Hints {
    /// The hints this node holds for other nodes.
    struct State {
        /// One hint per (owner, table, key).
        var held: [HintSlot: Hint] = [:]
    }

    /// What a hint's holder and its owner say to each other.
    public enum Message: Hashable, Sendable {
        /// A hint handed to its owner; the owner merges it and acknowledges what it merged.
        case delivery(table: String, key: [UInt8], data: [UInt8])
        /// The owner merged and stored `data`; the holder drops its hint if it still holds exactly that.
        case ack(table: String, key: [UInt8], data: [UInt8])
    }

    /// The hint holder's timer.
    public enum Timer: Hashable, Sendable {
        /// Time to offer held hints to their owners again.
        case delivery
    }
}
