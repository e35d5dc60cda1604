import CairnCore

/// One member as the cluster state knows it: name, zone, weight and status, with a version that every change
/// to the record raises. Two records of one member merge to the one that is greater in a fixed total order
/// (version, then status, weight, zone), so concurrent updates settle the same way on every node.
public struct MemberRecord: Hashable, Codable, Sendable {
    public let name: NodeID
    public var zone: String?
    public var weight: Int
    public var status: MemberStatus
    /// Raised by one on every change; the node itself raises it past any other to refute a `down`.
    public var version: UInt64

    public init(name: NodeID, zone: String?, weight: Int, status: MemberStatus, version: UInt64) {
        self.name = name
        self.zone = zone
        self.weight = weight
        self.status = status
        self.version = version
    }

    /// The member as the ring sees it.
    public var ringMember: RingMember { RingMember(name, weight: weight, zone: zone) }

    /// Whether `self` loses to `other` when two records of the same member merge.
    func precedes(_ other: MemberRecord) -> Bool {
        if version != other.version { return version < other.version }
        if status != other.status { return status.mergeRank < other.status.mergeRank }
        if weight != other.weight { return weight < other.weight }
        return (zone ?? "", zone != nil ? 1 : 0) < (other.zone ?? "", other.zone != nil ? 1 : 0)
    }

    /// The winner of two records of one member.
    static func merged(_ left: MemberRecord, _ right: MemberRecord) -> MemberRecord {
        assert(left.name == right.name, "records of one member merge")
        return left.precedes(right) ? right : left
    }
}
