import Foundation

extension CairnClient {
    /// `GET /admin/ring`: the ring as the node holds it.
    public func ring() async throws(CairnClientError) -> RingInfo {
        try await json(RingInfo.self, .GET, "/admin/ring")
    }

    /// `POST /admin/join`: stages `node` to join; returns every staged change.
    public func join(_ node: String) async throws(CairnClientError) -> [String] {
        try await json(Staged.self, .POST, "/admin/join", body: try Self.nodeBody(node)).staged
    }

    /// `POST /admin/leave`: stages `node` to leave; returns every staged change.
    public func leave(_ node: String) async throws(CairnClientError) -> [String] {
        try await json(Staged.self, .POST, "/admin/leave", body: try Self.nodeBody(node)).staged
    }

    /// `GET /admin/plan`: the staged changes and the partition moves committing them would start.
    public func plan() async throws(CairnClientError) -> PlanInfo {
        try await json(PlanInfo.self, .GET, "/admin/plan")
    }

    /// `POST /admin/commit`: commits the plan; returns the new epoch and how many moves it started.
    public func commit() async throws(CairnClientError) -> CommitInfo {
        try await json(CommitInfo.self, .POST, "/admin/commit", body: [])
    }

    /// `GET /admin/transfers`: every partition transfer this node sends and receives, and its progress.
    public func transfers() async throws(CairnClientError) -> TransfersInfo {
        try await json(TransfersInfo.self, .GET, "/admin/transfers")
    }

    static func nodeBody(_ node: String) throws(CairnClientError) -> [UInt8] {
        guard !node.isEmpty else { throw .invalidArgument("the node name is empty") }
        do {
            return Array(try JSONEncoder().encode(["node": node]))
        } catch {
            throw .invalidArgument("the node name does not encode as JSON: \(error)")
        }
    }

    struct Staged: Decodable { var staged: [String] }
}

/// `GET /admin/ring`: the epoch, the members with their share of partitions, and each partition's owner.
public struct RingInfo: Decodable, Sendable, Hashable {
    /// A member of the ring.
    public struct Member: Decodable, Sendable, Hashable {
        public var node: String
        public var status: String
        public var zone: String?
        public var partitions: Int
    }

    /// One partition and the member owning it.
    public struct Partition: Decodable, Sendable, Hashable {
        public var partition: Int
        public var owner: String
    }

    public var epoch: Int
    public var partitionCount: Int
    public var members: [Member]
    public var partitions: [Partition]

    enum CodingKeys: String, CodingKey {
        case epoch, members, partitions
        case partitionCount = "partition_count"
    }
}

/// One partition moving from one member to another.
public struct MoveInfo: Decodable, Sendable, Hashable {
    public var table: String
    public var partition: Int
    public var from: String
    public var to: String
}

/// `GET /admin/plan`: what is staged and which partitions committing it would move.
public struct PlanInfo: Decodable, Sendable, Hashable {
    public var staged: [String]
    public var moves: [MoveInfo]
}

/// `POST /admin/commit`: the epoch the commit made and the moves it started.
public struct CommitInfo: Decodable, Sendable, Hashable {
    public var epoch: Int
    public var moves: Int
}

/// `GET /admin/transfers`: the transfers a node sends (`outgoing`) and receives (`incoming`). A node that lists no
/// `incoming` (an older one) decodes with none.
public struct TransfersInfo: Decodable, Sendable, Hashable {
    public var outgoing: [TransferInfo]
    public var incoming: [IncomingTransferInfo]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        outgoing = try container.decode([TransferInfo].self, forKey: .transfers)
        incoming = try container.decodeIfPresent([IncomingTransferInfo].self, forKey: .incoming) ?? []
    }

    enum CodingKeys: String, CodingKey {
        case transfers, incoming
    }
}

/// `GET /admin/transfers`: one partition transfer this node receives, and how much it merged so far.
public struct IncomingTransferInfo: Decodable, Sendable, Hashable {
    public var table: String
    public var partition: Int
    public var from: String
    public var to: String
    /// `receiving`, `done`, or `stalled: <reason>`.
    public var state: String
    public var keysReceived: Int
    public var bytesReceived: Int

    enum CodingKeys: String, CodingKey {
        case table, partition, from, to, state
        case keysReceived = "keys_received"
        case bytesReceived = "bytes_received"
    }
}

/// `GET /admin/transfers`: one partition transfer this node sends and its progress.
public struct TransferInfo: Decodable, Sendable, Hashable {
    public var table: String
    public var partition: Int
    public var from: String
    public var to: String
    public var state: String
    public var keysSent: Int
    public var bytesSent: Int

    enum CodingKeys: String, CodingKey {
        case table, partition, from, to, state
        case keysSent = "keys_sent"
        case bytesSent = "bytes_sent"
    }
}
