/// A node's view of itself and its cluster, as `GET /status` returns it (JSON keys in snake_case).
public struct NodeStatus: Codable, Hashable, Sendable {
    /// This node's name.
    public var node: String
    public var ring: RingStatus
    public var members: [MemberStatus]
    /// Hints this node holds for replicas that were down.
    public var hintsPending: Int
    public var transfers: [TransferStatus]
    /// Storage engine failures this node has seen since it started.
    public var storageErrors: Int

    public init(
        node: String, ring: RingStatus, members: [MemberStatus], hintsPending: Int, transfers: [TransferStatus],
        storageErrors: Int
    ) {
        self.node = node
        self.ring = ring
        self.members = members
        self.hintsPending = hintsPending
        self.transfers = transfers
        self.storageErrors = storageErrors
    }

    enum CodingKeys: String, CodingKey {
        case node, ring, members, transfers
        case hintsPending = "hints_pending"
        case storageErrors = "storage_errors"
    }
}

/// The ring a node routes by: its epoch and which member owns each partition.
public struct RingStatus: Codable, Hashable, Sendable {
    public var epoch: UInt64
    /// The owner of partition i, by member name; its count is the ring's partition count Q.
    public var owners: [String]

    public init(epoch: UInt64, owners: [String]) {
        self.epoch = epoch
        self.owners = owners
    }
}

/// One cluster member and how the failure detector sees it.
public struct MemberStatus: Codable, Hashable, Sendable {
    /// How the failure detector sees a member.
    public enum Health: String, Codable, Hashable, Sendable {
        case alive, suspect, dead
    }

    public var name: String
    public var zone: String?
    public var health: Health

    public init(name: String, zone: String? = nil, health: Health) {
        self.name = name
        self.zone = zone
        self.health = health
    }
}

/// One partition transfer under way (handoff, join or leave) and how far it got.
public struct TransferStatus: Codable, Hashable, Sendable {
    public var table: String
    public var partition: Int
    public var from: String
    public var to: String
    public var keysSent: Int
    /// Keys to send in all, when the sender knows it.
    public var keysTotal: Int?

    public init(table: String, partition: Int, from: String, to: String, keysSent: Int, keysTotal: Int? = nil) {
        self.table = table
        self.partition = partition
        self.from = from
        self.to = to
        self.keysSent = keysSent
        self.keysTotal = keysTotal
    }

    enum CodingKeys: String, CodingKey {
        case table, partition, from, to
        case keysSent = "keys_sent"
        case keysTotal = "keys_total"
    }
}
