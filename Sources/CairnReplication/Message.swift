import CairnCore

/// Identifies one request a node coordinates: the node, its start (the start counter, new at every start of the
/// process, see `NodeConfiguration.start`) and a sequence number that restarts with each start, so an id is
/// never reused across restarts. It never enters a version vector.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    public var coordinator: NodeID
    public var start: UInt64
    public var sequence: UInt64

    public init(coordinator: NodeID, start: UInt64, sequence: UInt64) {
        self.coordinator = coordinator
        self.start = start
        self.sequence = sequence
    }

    public var description: String { "\(coordinator)/s\(start)#\(sequence)" }
}

/// The messages nodes exchange, one case per state machine that receives them. Every handler is idempotent, so
/// duplicated or reordered delivery is safe.
public enum Message: Hashable, Sendable {
    /// To a coordinator: a replica's answer, or the forwarding of a client's write.
    case coordinator(Coordinator.Message)
    /// A coordinator's request to a replica.
    case replica(Replica.Message)
    /// Hinted handoff between a hint's holder and its owner.
    case hints(Hints.Message)
}
