import CairnCore
import CairnMembership
import CairnReplication

/// What a `ClusterNode` asks its shell to do, in order; the shell stops at the first storage step that fails.
public enum NodeDirective: Equatable, Sendable {
    /// A replication directive, performed as for a bare `ReplicaNode` (its sends and timers go in the envelopes).
    case replica(Directive)
    /// A message of gossip, the failure detector or a transfer.
    case send(to: NodeID, NodeMessage)
    /// A timer of gossip, the failure detector or a transfer.
    case startTimer(NodeTimer, afterMilliseconds: UInt64)
    /// A transfer's storage step (merge arriving copies, progress and dirty-key records, drop a partition).
    case transferStorage(Transfer.Directive)
    /// Keep the gossiped cluster state durably (a restart gossips from it).
    case persistClusterState(ClusterState)
    /// Open the engine of a table the catalog created, before anything reads or writes it.
    case openTable(TableDefinition)
    /// One line for the operator (gossip, detector and transfer logs).
    case log(String)
}
