import CairnCore

/// Which commit planned a transfer: the ring epoch it made and the node that committed it.
public struct CommitID: Hashable, Codable, Sendable, Comparable {
    public let epoch: UInt64
    public let committer: NodeID

    public init(epoch: UInt64, committer: NodeID) {
        self.epoch = epoch
        self.committer = committer
    }

    public static func < (left: CommitID, right: CommitID) -> Bool {
        left.epoch != right.epoch ? left.epoch < right.epoch : left.committer < right.committer
    }
}

/// A transfer's identity: the commit that planned it and the partition it moves.
public struct TransferKey: Hashable, Codable, Sendable, Comparable {
    public let commit: CommitID
    public let partition: Int

    public init(commit: CommitID, partition: Int) {
        self.commit = commit
        self.partition = partition
    }

    public static func < (left: TransferKey, right: TransferKey) -> Bool {
        left.commit != right.commit ? left.commit < right.commit : left.partition < right.partition
    }
}

/// How far a transfer got. It only moves forward, so two copies merge to the later one.
public enum TransferStatus: String, Codable, Sendable, CaseIterable, Comparable {
    case pending, streaming, done

    var rank: Int {
        switch self {
        case .pending: 0
        case .streaming: 1
        case .done: 2
        }
    }

    public static func < (left: TransferStatus, right: TransferStatus) -> Bool { left.rank < right.rank }
}

/// A partition that a committed plan moves from one node to another. The membership layer records it; the
/// transfer work advances its status.
public struct PendingTransfer: Hashable, Codable, Sendable {
    public let key: TransferKey
    public let from: NodeID
    public let to: NodeID
    public var status: TransferStatus

    public init(key: TransferKey, from: NodeID, to: NodeID, status: TransferStatus = .pending) {
        self.key = key
        self.from = from
        self.to = to
        self.status = status
    }

    public var partition: Int { key.partition }

    /// The later of two copies of one transfer (a commit plans each partition once, so from/to agree; the
    /// comparison of names only keeps the merge total should they not).
    static func merged(_ left: PendingTransfer, _ right: PendingTransfer) -> PendingTransfer {
        if left.status != right.status { return left.status < right.status ? right : left }
        if left.from != right.from { return left.from < right.from ? right : left }
        return left.to < right.to ? right : left
    }
}
