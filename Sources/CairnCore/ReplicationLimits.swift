import CairnStorage

/// The limits of the replication core, each named in the error that enforces it.
public enum ReplicationLimits {
    /// Longest node name (a ring member's id), in bytes. Actor names in dots add an epoch to it.
    public static let nodeNameBytesMax = 64
    /// Longest replicated table name, in bytes (the catalog's own limit).
    public static let tableNameBytesMax = 64
    /// Bytes a node puts before a key when it stores a replica: the big-endian partition number.
    public static let partitionPrefixBytes = 4
    /// Bytes a hint key adds to the key: `owner length (1) ‖ owner ‖ table length (1) ‖ table`, at their longest.
    public static let hintKeyOverheadBytesMax = 1 + nodeNameBytesMax + 1 + tableNameBytesMax
    /// Longest key: the engines' key limit less the larger of the two prefixes a node stores a key under
    /// (replica or hint), so a key that is accepted can always be stored, even as a hint while a primary is down.
    public static let keyBytesMax = StorageLimits.keyBytesMax - max(partitionPrefixBytes, hintKeyOverheadBytesMax)
    /// Largest value a client may put: 1 MiB.
    public static let valueBytesMax = 1 << 20
    /// Most siblings one key may hold; a put that would make more is refused until a client reconciles.
    public static let siblingsMax = 32
    /// Most entries in one key's version vector (writers of that key, including one-shot fallback writers).
    public static let versionVectorEntriesMax = 128
    /// Version vectors with at least this many entries are pruned of the entries every primary agreed carry no
    /// sibling, a tombstone grace period after they agreed (`NodeConfiguration.versionVectorPruneFromEntries`).
    public static let versionVectorPruneFromEntries = 32
    /// Most prunes one node waits to send at once (one per key at a time); past it a key is pruned later.
    public static let prunesPendingMax = 10_000
    /// Most siblings and version-vector entries a stored or sent copy may hold. Puts are refused past
    /// `siblingsMax` and `versionVectorEntriesMax`, but merging replicas never drops data, so a merged copy may
    /// exceed those; decoding accepts up to these (4×) and refuses anything larger as corrupt.
    public static let storedSiblingsMax = 4 * siblingsMax
    public static let storedVersionVectorEntriesMax = 4 * versionVectorEntriesMax
    /// Largest replication factor N.
    public static let replicasMax = 7
    /// Most client requests one node coordinates at once.
    public static let pendingRequestsMax = 10_000
    /// Most hints one node holds for others; past it the node stops offering to hold hints.
    public static let hintsMax = 1_000_000
}

/// Every way the replication core refuses a request.
public enum ReplicationError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooManySiblings(count: Int, limit: Int)
    case versionVectorTooLong(entries: Int, limit: Int)
    case valueTooLarge(bytes: Int, limit: Int)
    case keyInvalid(bytes: Int, limit: Int)
    case unknownTable(String)
    case quorumInvalid(String)
    case overloaded(pending: Int, limit: Int)
    case corruptReplicaData(String)
    /// The stored copy of a key could not be read (the engine failed); nothing is written over it.
    case storageFailure(String)
    case timeout(needed: Int, got: Int)

    public var description: String {
        switch self {
        case .tooManySiblings(let count, let limit):
            "the write would leave \(count) siblings, over siblingsMax (\(limit)): read and put with the context to reconcile"
        case .versionVectorTooLong(let entries, let limit):
            "the key's version vector would have \(entries) entries, over versionVectorEntriesMax (\(limit))"
        case .valueTooLarge(let bytes, let limit): "value of \(bytes) bytes exceeds valueBytesMax (\(limit) bytes)"
        case .keyInvalid(let bytes, let limit): "key of \(bytes) bytes is not within 1…\(limit) bytes"
        case .unknownTable(let name): "no table named '\(name)'"
        case .quorumInvalid(let detail): "invalid quorum: \(detail)"
        case .overloaded(let pending, let limit): "\(pending) requests pending, pendingRequestsMax is \(limit)"
        case .corruptReplicaData(let detail): "corrupt replica data: \(detail)"
        case .storageFailure(let detail): "the stored copy could not be read: \(detail)"
        case .timeout(let needed, let got): "timed out with \(got) of \(needed) replies"
        }
    }
}
