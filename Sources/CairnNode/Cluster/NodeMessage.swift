import CairnCore
import CairnMembership
import CairnReplication

/// Everything one node sends another, in one envelope: each state machine's own message type, tagged with the
/// machine it is for. `NodeTransport` carries it; `ClusterNode` routes it to the machine inside.
public enum NodeMessage: Equatable, Sendable {
    /// Coordinator, replica and hint traffic (`ReplicaNode`).
    case replication(Message)
    /// Cluster-state gossip (`GossipNode`).
    case gossip(GossipMessage)
    /// SWIM probes and their piggybacked updates (`FailureDetector`).
    case detector(FailureDetector.Message)
    /// Partition transfer traffic (`Transfer.Sender` and `Transfer.Receiver`).
    case transfer(Transfer.Message)
}

/// Every timer a node asks its shell to start, in one envelope: each state machine's own timer, tagged with the
/// machine it goes back to. `NodeTimerService` schedules it; `ClusterNode` routes it when it fires.
public enum NodeTimer: Hashable, Sendable {
    case replication(TimerID)
    case gossip(GossipTimer)
    case detector(FailureDetector.Timer)
    case transfer(Transfer.Timer)
    /// The periodic ownership check (`ClusterNode+Ownership`).
    case ownership
}
