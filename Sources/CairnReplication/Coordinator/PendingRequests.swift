import CairnCore

/// A put or delete this node coordinates, until every replica answered or the request timed out. Replicas
/// acknowledge with no payload.
struct PendingWrite {
    var request: QuorumRequest<Void>
    /// The encoded sibling set every replica merges.
    var data: [UInt8]
    var object: SiblingSet
}

/// A get this node coordinates, until every replica answered or the request timed out: each answer is the
/// replica's copy.
typealias PendingRead = QuorumRequest<SiblingSet>

extension QuorumRequest where Answer == SiblingSet {
    func merged(_ policy: ConflictPolicy) -> SiblingSet {
        answers.reduce(SiblingSet.empty) { $0.merged(with: $1.answer, policy: policy) }
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
