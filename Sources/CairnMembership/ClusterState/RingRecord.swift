import CairnCore

/// The ring with its epoch, as gossiped: the commit that made it and the commits before it (its lineage,
/// newest last, at most `ClusterStateLimits.lineageCountMax`), so the transfers that belong to it can be told
/// from those of a concurrent commit that lost.
///
/// Two records merge to the one of the greater commit (epoch, then committer's name); records of one commit are
/// equal, and the structural comparison at the end only keeps the order total.
public struct RingRecord: Equatable, Codable, Sendable {
    public let commit: CommitID
    public let ring: Ring
    public let lineage: [CommitID]

    public init(commit: CommitID, ring: Ring, lineage: [CommitID]) {
        self.commit = commit
        self.ring = ring
        self.lineage = lineage
    }

    public var epoch: UInt64 { commit.epoch }

    /// Whether `self` loses to `other` in a merge.
    func precedes(_ other: RingRecord) -> Bool {
        if commit != other.commit { return commit < other.commit }
        if ring.partitionCount != other.ring.partitionCount { return ring.partitionCount < other.ring.partitionCount }
        if ring.owners != other.ring.owners { return ring.owners.lexicographicallyPrecedes(other.ring.owners) }
        let mine = ring.members.map(Self.memberKey), theirs = other.ring.members.map(Self.memberKey)
        if mine != theirs { return mine.lexicographicallyPrecedes(theirs) }
        return lineage.lexicographicallyPrecedes(other.lineage)
    }

    private static func memberKey(_ member: RingMember) -> String {
        "\(member.id.name)\u{0}\(member.weight)\u{0}\(member.zone ?? "\u{1}")"
    }

    static func merged(_ left: RingRecord?, _ right: RingRecord?) -> RingRecord? {
        guard let left else { return right }
        guard let right else { return left }
        return left.precedes(right) ? right : left
    }
}
