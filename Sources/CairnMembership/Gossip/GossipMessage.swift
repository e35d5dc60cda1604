import CairnCore

/// What gossiping nodes send each other: a digest of the sender's state, or the state itself. A node that
/// gets a digest unlike its own answers with its state (`replyWanted`); one that gets a state merges it and, if
/// asked and it knew more, answers with the merged state, so one exchange brings both sides level.
public enum GossipMessage: Equatable, Sendable {
    case digest(UInt64)
    case state(ClusterState, replyWanted: Bool)

    /// Bytes on the wire: a tag, then the digest or the state's canonical encoding.
    public var wireBytes: Int {
        switch self {
        case .digest: 9
        case .state(let state, _): 2 + ClusterStateBytes.count(of: state)
        }
    }
}

/// The timers a gossip node asks for.
public enum GossipTimer: Hashable, Sendable {
    case gossipRound
}

/// How much a log line matters.
public enum GossipLogLevel: String, Sendable {
    case debug, info, warning
}

/// What a gossip node asks its shell to do, in order: persist its state before sending what depends on it.
public enum GossipDirective: Equatable, Sendable {
    case send(to: NodeID, GossipMessage)
    case startTimer(GossipTimer, afterMilliseconds: Int)
    case persist(ClusterState)
    case log(GossipLogLevel, String)
}
