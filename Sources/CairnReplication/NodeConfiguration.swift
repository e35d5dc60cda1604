import CairnCore

/// A node's identity, its view of the ring and tables, and its timeouts (all in milliseconds of injected time).
public struct NodeConfiguration: Sendable {
    public var id: NodeID
    /// The node's epoch: new at every start, recorded durably by the shell before the node serves (see
    /// `EngineReplicaStore.beginIncarnation`). It is part of every dot's actor and every request id, so nothing
    /// issued before a restart — even a write lost with unsynced data or a wiped disk — is issued again.
    public var incarnation: UInt64
    public var ring: Ring
    public var tables: [String: TableSettings]
    /// Replicas silent this long are suspected and replaced by fallbacks holding hints.
    public var replicaTimeoutMilliseconds: UInt64
    /// How long a node that missed a deadline is treated as down (given a fallback at once) unless heard from.
    public var suspicionMilliseconds: UInt64 = 1_000
    /// A request that has not reached its quorum by then fails with `timeout`.
    public var requestTimeoutMilliseconds: UInt64
    /// How often held hints are offered to their owners.
    public var hintDeliveryIntervalMilliseconds: UInt64
    /// How long a fully replicated tombstone waits before it is reaped. A replica or hint out of touch for longer
    /// than this can bring a deleted key back (as with Cassandra's gc_grace); keep it well above outages.
    public var tombstoneGraceMilliseconds: UInt64
    /// Most hints offered per delivery round.
    public var hintsPerDeliveryRoundMax: Int
    #if CAIRN_MUTATIONS
    /// A deliberately broken rule, for the simulator's self-test only (debug builds; `none` everywhere else).
    public var mutation: CoreMutation = .none
    #endif

    public init(
        id: NodeID, incarnation: UInt64 = 1, ring: Ring, tables: [String: TableSettings],
        replicaTimeoutMilliseconds: UInt64 = 100, requestTimeoutMilliseconds: UInt64 = 1_000,
        hintDeliveryIntervalMilliseconds: UInt64 = 200, tombstoneGraceMilliseconds: UInt64 = 60_000,
        hintsPerDeliveryRoundMax: Int = 256
    ) {
        precondition(replicaTimeoutMilliseconds > 0 && replicaTimeoutMilliseconds < requestTimeoutMilliseconds,
            "0 < replica timeout < request timeout")
        precondition(hintDeliveryIntervalMilliseconds > 0 && hintsPerDeliveryRoundMax > 0, "hints are delivered")
        precondition(incarnation >= 1, "incarnations start at 1")
        precondition(
            ring.members.allSatisfy { $0.id.name.utf8.count <= ReplicationLimits.nodeNameBytesMax && !$0.id.name.contains("/") },
            "node names are at most nodeNameBytesMax (\(ReplicationLimits.nodeNameBytesMax)) bytes, without '/' (actors use it)")
        precondition(
            tables.keys.allSatisfy { !$0.isEmpty && $0.utf8.count <= ReplicationLimits.tableNameBytesMax },
            "table names are 1…tableNameBytesMax (\(ReplicationLimits.tableNameBytesMax)) bytes")
        self.id = id
        self.incarnation = incarnation
        self.ring = ring
        self.tables = tables
        self.replicaTimeoutMilliseconds = replicaTimeoutMilliseconds
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.hintDeliveryIntervalMilliseconds = hintDeliveryIntervalMilliseconds
        self.tombstoneGraceMilliseconds = tombstoneGraceMilliseconds
        self.hintsPerDeliveryRoundMax = hintsPerDeliveryRoundMax
    }

    /// The actor this node's dots carry in this epoch, `id/incarnation`: a key's writes coordinated before a
    /// restart are never renumbered or covered by those coordinated after it.
    public var actor: NodeID { NodeID("\(id)/\(incarnation)") }
}
