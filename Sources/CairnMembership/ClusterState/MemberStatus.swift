/// Where a member stands in the cluster's life cycle, as Riak's ring has it.
///
/// `joining`: announced by gossip, owns nothing until a committed plan takes it in. `valid`: in the ring.
/// `leaving`: a committed plan took its partitions away; it still hands them over. `exiting`: every transfer
/// away from it is done; it may stop. `down`: marked unreachable (by an operator or the failure detector); the
/// node itself refutes this by gossiping a newer version of its record.
public enum MemberStatus: String, Codable, Sendable, CaseIterable {
    case joining, valid, leaving, exiting, down

    /// Tie-break between two records of the same version: the later stage of the life cycle wins, and `down`
    /// wins over everything so a suspicion is seen (and refuted) rather than silently lost.
    var mergeRank: Int {
        switch self {
        case .joining: 0
        case .valid: 1
        case .leaving: 2
        case .exiting: 3
        case .down: 4
        }
    }
}
