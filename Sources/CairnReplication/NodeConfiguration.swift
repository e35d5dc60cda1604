import CairnCore

/// A node's identity, its view of the ring and tables, and its timeouts (all in milliseconds of injected time).
public struct NodeConfiguration: Sendable {
    public var id: NodeID
    /// The node's dot epoch, part of its actor `id/incarnation`. The shell keeps it across a restart only when
    /// the node cannot have lost history it issued dots from, and begins a new one (recorded durably before the
    /// node serves) when its data is missing or wiped, or when the last run stopped uncleanly with a buffered
    /// table (see `EngineReplicaStore.beginStart`). So no dot is ever reissued (issue 8, bugs 3 and 4), and a
    /// key's version vector does not grow with clean restarts.
    public var incarnation: UInt64
    /// The start counter: new at every start of the process, clean or not, recorded durably before the node
    /// serves. It is part of every request id (bug 6) and of the volatile one-shot actor, never of a primary's.
    public var start: UInt64
    /// The ring the node starts with (`ReplicaNode.ring` is the current one, which `onRingChange` replaces).
    public var ring: Ring
    /// The epoch of `ring`.
    public var ringEpoch: UInt64
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
    /// A key's version vector is pruned (see `ReplicaNode+Prune`) once it has at least this many entries; below it
    /// nothing is pruned, so a key with few writers sends no prune messages.
    public var versionVectorPruneFromEntries = ReplicationLimits.versionVectorPruneFromEntries
    #if CAIRN_MUTATIONS
    /// A deliberately broken rule, for the simulator's self-test only (debug builds; `none` everywhere else).
    public var mutation: CoreMutation = .none
    #endif

    public init(
        id: NodeID, incarnation: UInt64 = 1, start: UInt64? = nil, ring: Ring, ringEpoch: UInt64 = 0, tables: [String: TableSettings],
        replicaTimeoutMilliseconds: UInt64 = 100, requestTimeoutMilliseconds: UInt64 = 1_000,
        hintDeliveryIntervalMilliseconds: UInt64 = 200, tombstoneGraceMilliseconds: UInt64 = 60_000,
        hintsPerDeliveryRoundMax: Int = 256
    ) {
        precondition(replicaTimeoutMilliseconds > 0 && replicaTimeoutMilliseconds < requestTimeoutMilliseconds,
            "0 < replica timeout < request timeout")
        precondition(hintDeliveryIntervalMilliseconds > 0 && hintsPerDeliveryRoundMax > 0, "hints are delivered")
        precondition(incarnation >= 1 && (start ?? 1) >= 1, "incarnations and start counters start at 1")
        precondition(Self.ringProblem(ring) == nil, Self.ringProblem(ring) ?? "")
        precondition(
            tables.keys.allSatisfy { !$0.isEmpty && $0.utf8.count <= ReplicationLimits.tableNameBytesMax },
            "table names are 1…tableNameBytesMax (\(ReplicationLimits.tableNameBytesMax)) bytes")
        self.id = id
        self.incarnation = incarnation
        // A caller that gives no start counter begins a new incarnation at every start: use it for both.
        self.start = start ?? incarnation
        self.ring = ring
        self.ringEpoch = ringEpoch
        self.tables = tables
        self.replicaTimeoutMilliseconds = replicaTimeoutMilliseconds
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.hintDeliveryIntervalMilliseconds = hintDeliveryIntervalMilliseconds
        self.tombstoneGraceMilliseconds = tombstoneGraceMilliseconds
        self.hintsPerDeliveryRoundMax = hintsPerDeliveryRoundMax
    }

    /// Why `ring` cannot be routed by (a member name too long or with '/'), or nil when it can.
    public static func ringProblem(_ ring: Ring) -> String? {
        guard let bad = ring.members.first(where: { $0.id.name.utf8.count > ReplicationLimits.nodeNameBytesMax || $0.id.name.contains("/") })
        else { return nil }
        return "node name '\(bad.id.name)' is over nodeNameBytesMax (\(ReplicationLimits.nodeNameBytesMax)) bytes or has a '/' (actors use it)"
    }

    /// The actor this node's dots carry in this epoch, `id/incarnation`: its counters for a key come from the
    /// stored copy, so writes coordinated before a restart that lost no history are counted past, and those of
    /// an epoch whose history may be lost are never renumbered or covered by accident.
    public var actor: NodeID { NodeID("\(id)/\(incarnation)") }
}
