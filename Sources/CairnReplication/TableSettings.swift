import CairnCore

/// How a table is replicated: N copies, read and write quorums R and W, and how concurrent writes settle.
public struct TableSettings: Hashable, Codable, Sendable {
    public var replicas: Int
    public var readQuorum: Int
    public var writeQuorum: Int
    public var policy: ConflictPolicy

    public init(replicas: Int = 3, readQuorum: Int = 2, writeQuorum: Int = 2, policy: ConflictPolicy = .siblings) {
        self.replicas = replicas
        self.readQuorum = readQuorum
        self.writeQuorum = writeQuorum
        self.policy = policy
    }

    /// Throws unless 1 ≤ R, W ≤ N ≤ replicasMax.
    public func check() throws(ReplicationError) {
        guard (1...ReplicationLimits.replicasMax).contains(replicas) else {
            throw .quorumInvalid("N is \(replicas), must be 1…\(ReplicationLimits.replicasMax)")
        }
        guard (1...replicas).contains(readQuorum), (1...replicas).contains(writeQuorum) else {
            throw .quorumInvalid("R \(readQuorum) and W \(writeQuorum) must be 1…N (\(replicas))")
        }
    }
}

/// Per-request overrides of a table's quorums, and how many replies must come from primary replicas.
public struct RequestOptions: Hashable, Codable, Sendable {
    public var readQuorum: Int?
    public var writeQuorum: Int?
    /// PR: replies to a get that must come from primaries (not fallbacks).
    public var primaryReadQuorum: Int
    /// PW: acknowledgements of a put that must come from primaries.
    public var primaryWriteQuorum: Int

    public init(readQuorum: Int? = nil, writeQuorum: Int? = nil, primaryReadQuorum: Int = 0, primaryWriteQuorum: Int = 0) {
        self.readQuorum = readQuorum
        self.writeQuorum = writeQuorum
        self.primaryReadQuorum = primaryReadQuorum
        self.primaryWriteQuorum = primaryWriteQuorum
    }

    public static let defaults = RequestOptions()

    /// The (quorum, primary quorum) a request needs, checked against the table's N.
    func quorums(for table: TableSettings, isRead: Bool) throws(ReplicationError) -> (all: Int, primaries: Int) {
        let all = (isRead ? readQuorum : writeQuorum) ?? (isRead ? table.readQuorum : table.writeQuorum)
        let primaries = isRead ? primaryReadQuorum : primaryWriteQuorum
        guard (1...table.replicas).contains(all) else {
            throw .quorumInvalid("\(isRead ? "R" : "W") is \(all), must be 1…N (\(table.replicas))")
        }
        guard (0...all).contains(primaries) else {
            throw .quorumInvalid("\(isRead ? "PR" : "PW") is \(primaries), must be 0…\(isRead ? "R" : "W") (\(all))")
        }
        return (all, primaries)
    }
}
