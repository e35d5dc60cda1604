import CairnCore

/// Replicas a request was sent to, in the order chosen, and which of them stand in for another node.
struct ReplicaTargets {
    /// Every node asked, in order (primaries first, then fallbacks as they were drafted).
    private(set) var nodes: [NodeID] = []
    /// Fallbacks and the primary each stands in for.
    private(set) var standIns: [NodeID: NodeID] = [:]
    /// Fallbacks not drafted yet, in ring order.
    var unusedFallbacks: [NodeID]

    init(fallbacks: [NodeID]) {
        unusedFallbacks = fallbacks
    }

    mutating func add(_ node: NodeID, standingInFor owner: NodeID? = nil) {
        nodes.append(node)
        if let owner { standIns[node] = owner }
    }

    func contains(_ node: NodeID) -> Bool { nodes.contains(node) }
    func isPrimary(_ node: NodeID) -> Bool { contains(node) && standIns[node] == nil }

    /// Drafts the next fallback that is neither suspected nor `excluded`.
    mutating func draftFallback(avoiding suspected: Set<NodeID>, excluded: NodeID) -> NodeID? {
        while !unusedFallbacks.isEmpty {
            let candidate = unusedFallbacks.removeFirst()
            if candidate != excluded && !suspected.contains(candidate) && !contains(candidate) { return candidate }
        }
        return nil
    }
}

/// A put or delete this node coordinates, until every replica answered or the request timed out.
struct PendingWrite {
    var clientID: UInt64
    var route: ReplyRoute
    var table: String
    var key: [UInt8]
    /// The encoded sibling set every replica merges.
    var data: [UInt8]
    var object: SiblingSet
    var quorum: Int
    var primaryQuorum: Int
    var primaries: [NodeID]
    var targets: ReplicaTargets
    var acknowledged: [NodeID] = []
    var replied = false

    var primaryAcknowledgements: Int { acknowledged.filter(targets.isPrimary).count }
    /// The replica positions that acknowledged: a stand-in counts for the primary it stands in for, so a primary and
    /// its stand-in (which may already have handed its hint over and deleted it) are one copy, not two.
    var acknowledgedOwners: Int { Set(acknowledged.map { targets.standIns[$0] ?? $0 }).count }
    var quorumReached: Bool { acknowledgedOwners >= quorum && primaryAcknowledgements >= primaryQuorum }
    var everyoneAnswered: Bool { targets.nodes.allSatisfy(acknowledged.contains) }
}

/// A get this node coordinates, until every replica answered or the request timed out.
struct PendingRead {
    var clientID: UInt64
    var table: String
    var key: [UInt8]
    var quorum: Int
    var primaryQuorum: Int
    var primaries: [NodeID]
    var targets: ReplicaTargets
    /// Each answering replica's copy, in arrival order.
    var copies: [(node: NodeID, copy: SiblingSet)] = []
    var replied = false

    var primaryReplies: Int { copies.filter { targets.isPrimary($0.node) }.count }
    var quorumReached: Bool { copies.count >= quorum && primaryReplies >= primaryQuorum }
    var everyoneAnswered: Bool { targets.nodes.allSatisfy { node in copies.contains { $0.node == node } } }

    func merged(_ policy: ConflictPolicy) -> SiblingSet {
        copies.reduce(SiblingSet.empty) { $0.merged(with: $1.copy, policy: policy) }
    }
}

/// A tombstone that every primary held, waiting out its grace period before it is reaped.
struct PendingReap {
    var table: String
    var key: [UInt8]
    var history: [UInt8]
    var primaries: [NodeID]
}

/// A put or delete this node handed to a primary, until the primary answers.
struct PendingForward {
    var request: ClientRequest
    /// The primary asked to coordinate it; nil while the primaries are being pinged.
    var current: NodeID?
    /// When `current` was asked (or the pings were sent).
    var askedAt: UInt64
    /// The primaries pinged, when none had been heard from lately.
    var pinged: [NodeID] = []
    var accepted = false
}
