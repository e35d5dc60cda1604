import Foundation
import NIOHTTP1

extension CairnClient {
    /// `PUT /tables/{name}`: creates the table (repeating it with the same settings is fine); returns it as the
    /// node now holds it.
    public func createTable(_ name: String, _ settings: TableSettingsRequest) async throws(CairnClientError) -> TableInfo {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(settings))
        } catch {
            throw .invalidArgument("the table settings do not encode as JSON: \(error)")
        }
        return try await json(TableInfo.self, .PUT, try Self.tablePath(name), body: body)
    }

    /// `GET /tables`: every table, by name.
    public func tables() async throws(CairnClientError) -> [TableInfo] {
        try await json(TableListing.self, .GET, "/tables").tables
    }

    /// `GET /status`: the node, its ring, members, hints and transfers.
    public func status() async throws(CairnClientError) -> NodeStatusInfo {
        try await json(NodeStatusInfo.self, .GET, "/status")
    }

    /// `GET /metrics`: the Prometheus text.
    public func metrics() async throws(CairnClientError) -> String {
        let request = HTTPExchange.Request(method: .GET, target: "/metrics")
        let reply = try await exchange.send(request)
        guard reply.status == 200 else { throw Self.unexpected(reply, route: request.route, node: address) }
        return String(decoding: reply.body, as: UTF8.self)
    }

    /// Sends a request expecting `200` with JSON of type `T`; an unexplained 404 is a missing route.
    func json<T: Decodable>(_ type: T.Type, _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil)
        async throws(CairnClientError) -> T
    {
        var request = HTTPExchange.Request(method: method, target: path)
        if let body {
            request.body = body
            request.contentType = "application/json"
        }
        let reply = try await exchange.send(request)
        guard reply.status == 200 else { throw Self.unexpected(reply, route: request.route, node: address) }
        return try Self.decode(type, reply, route: request.route)
    }

    /// The body of `GET /tables`.
    struct TableListing: Decodable {
        var tables: [TableInfo]
    }
}

/// The JSON body of `PUT /tables/{table}`: the engine, and any setting to change from the server's defaults
/// (n 3, r 2, w 2, policy siblings, durability sync). Nil fields are left out.
public struct TableSettingsRequest: Encodable, Sendable, Hashable {
    /// memory, lmdb, leveldb or rocksdb (the server checks).
    public var engine: String
    public var n: Int?
    public var r: Int?
    public var w: Int?
    /// siblings or lww.
    public var policy: String?
    /// sync or buffered.
    public var durability: String?

    public init(
        engine: String, n: Int? = nil, r: Int? = nil, w: Int? = nil, policy: String? = nil, durability: String? = nil
    ) {
        self.engine = engine
        self.n = n
        self.r = r
        self.w = w
        self.policy = policy
        self.durability = durability
    }
}

/// A table as the node describes it.
public struct TableInfo: Decodable, Sendable, Hashable {
    public var name: String
    public var engine: String
    public var n: Int
    public var r: Int
    public var w: Int
    public var policy: String
    public var durability: String
}

/// `GET /status`: a node's view of itself and its cluster (fields the client does not know are ignored).
public struct NodeStatusInfo: Decodable, Sendable, Hashable {
    /// The ring: its epoch and the owner of each partition.
    public struct Ring: Decodable, Sendable, Hashable {
        public var epoch: Int
        public var owners: [String]
    }

    /// One member and its health (alive, suspect or dead).
    public struct Member: Decodable, Sendable, Hashable {
        public var name: String
        public var zone: String?
        public var health: String
    }

    /// A partition transfer under way.
    public struct Transfer: Decodable, Sendable, Hashable {
        public var table: String
        public var partition: Int
        public var from: String
        public var to: String
        public var keysSent: Int
        public var keysTotal: Int?

        enum CodingKeys: String, CodingKey {
            case table, partition, from, to
            case keysSent = "keys_sent"
            case keysTotal = "keys_total"
        }
    }

    public var node: String
    public var ring: Ring
    public var members: [Member]
    public var hintsPending: Int
    public var transfers: [Transfer]
    public var storageErrors: Int

    enum CodingKeys: String, CodingKey {
        case node, ring, members, transfers
        case hintsPending = "hints_pending"
        case storageErrors = "storage_errors"
    }
}
