import CairnCore
import CairnMembership
import CairnReplication
import CairnStorage

/// The storage a node in a cluster needs beyond the core's: transfer steps, the gossiped state, and tables the
/// catalog adds. Each throws when it cannot store; the shell then stops the node.
public protocol ClusterDirectiveStore: ReplicaDirectiveStore {
    /// Performs a transfer's storage step (see `Transfer.Directive`).
    func perform(_ directive: Transfer.Directive) throws
    /// Keeps the gossiped cluster state durably, replacing the previous one.
    func persistClusterState(_ state: ClusterState) throws
    /// Serves `name` from `engine` from now on (a table already served is kept as it is).
    func addTable(_ name: String, engine: any StorageEngine) throws
}

/// Opens the engine of a table the gossiped catalog created (a directory per table in the server, a memory
/// engine in tests). Throws when it cannot: the shell stops the node, as for any storage failure.
public protocol TableEngineOpener: AnyObject {
    func openEngine(for table: TableDefinition) throws -> any StorageEngine
}
