import CairnCore

/// Bounds on the gossiped cluster state; a state (or a change) beyond one is refused with a `ClusterStateError`.
public enum ClusterStateLimits {
    /// Members of all statuses, down and exiting included.
    public static let membersMax = Ring.membersMax
    public static let zoneBytesMax = 64
    public static let tablesMax = 1_024
    public static let tableNameBytesMax = 255
    public static let engineNameBytesMax = 32
    /// Largest N a table may ask for.
    public static let replicasMax = 16
    /// Transfer records kept, done ones included (they are not yet collected; see README).
    public static let transfersMax = 16_384
    /// Commits remembered in a ring record's lineage.
    public static let lineageCountMax = 64
    /// Largest canonical encoding of a state, and so of a gossip message carrying it.
    public static let stateBytesMax = 4 * 1_024 * 1_024
}

/// Why a cluster state or a change to it was refused: one line naming the limit or the problem.
public enum ClusterStateError: Error, Equatable, Sendable, CustomStringConvertible {
    case limitExceeded(String)
    case invalidMember(String)
    case invalidRing(String)
    case invalidTable(String)
    case tableExists(String)
    case tableUnknown(String)

    public var description: String {
        switch self {
        case .limitExceeded(let text), .invalidMember(let text), .invalidRing(let text), .invalidTable(let text),
            .tableExists(let text), .tableUnknown(let text):
            text
        }
    }
}
