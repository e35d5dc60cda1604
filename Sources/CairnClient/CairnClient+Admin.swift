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

    /// `GET /admin/transfers`: every partition transfer and its progress.
    public func transfers() async throws(CairnClientError) -> [TransferInfo] {
        try await json(TransferList.self, .GET, "/admin/transfers").transfers
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
    struct TransferList: Decodable { var transfers: [TransferInfo] }
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

/// `GET /admin/transfers`: one partition transfer and its progress.
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
