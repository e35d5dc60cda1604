/// The node's read-only view of its own stored replicas, injected by the shell (an engine, or the simulator).
public protocol ReplicaStorageView {
    /// The encoded sibling set stored for a key, or nil when absent. Throws when the storage fails: a copy
    /// that cannot be read is never taken for an absent one.
    func load(table: String, key: [UInt8]) throws -> [UInt8]?
}
