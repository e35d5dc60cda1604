import CairnCore
import CairnMembership
import CairnReplication
import CairnStorage
import Foundation

/// The cluster side of a node's store: tables added from the catalog, and the gossiped state kept in the hint
/// engine under `0 ‖ "cluster-state"` (beside the start record, where no hint key goes), JSON-encoded.
extension EngineReplicaStore: ClusterDirectiveStore {
    static let clusterStateKey: [UInt8] = [0] + Array("cluster-state".utf8)

    /// The tables this store serves.
    public var tableNames: Set<String> { Set(tables.keys) }

    public func addTable(_ name: String, engine: any StorageEngine) throws {
        guard tables[name] == nil else { return }
        tables[name] = engine
    }

    public func persistClusterState(_ state: ClusterState) throws {
        try hintEngine.put(Self.clusterStateKey, Array(try JSONEncoder().encode(state)))
        try hintEngine.sync()
    }

    /// The cluster state persisted last, or nil when none was; a record that does not decode is an error.
    public func storedClusterState() throws -> ClusterState? {
        guard let bytes = try hintEngine.get(Self.clusterStateKey) else { return nil }
        return try JSONDecoder().decode(ClusterState.self, from: Data(bytes))
    }
}
