import CairnClient
import CairnCore
import CairnHTTP
import CairnReplication
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A `NodeService` double for client tests: answers key requests with a scripted reply and records them.
actor RecordingNode: NodeService {
    var answer: @Sendable (ClientRequest) -> ClientReply = { .written(id: $0.id) }
    var knownTables: [TableDescription] = []
    var nodeStatus = NodeStatus(
        node: "n1", ring: RingStatus(epoch: 7, owners: ["n1", "n2", "n1", "n2"]),
        members: [MemberStatus(name: "n1", zone: "a", health: .alive), MemberStatus(name: "n2", health: .suspect)],
        hintsPending: 5, transfers: [TransferStatus(table: "t", partition: 2, from: "n1", to: "n2", keysSent: 40, keysTotal: 100)],
        storageErrors: 1)
    private(set) var requests: [ClientRequest] = []
    private(set) var created: [TableDescription] = []

    func perform(_ request: ClientRequest) async -> ClientReply {
        requests.append(request)
        return answer(request)
    }

    func createTable(_ table: TableDescription) async throws(TableRefusal) -> TableDescription {
        created.append(table)
        return table
    }

    func tables() async -> [TableDescription] { knownTables }
    func status() async -> NodeStatus { nodeStatus }
    func script(_ answer: @escaping @Sendable (ClientRequest) -> ClientReply) { self.answer = answer }
    func setTables(_ tables: [TableDescription]) { knownTables = tables }

    // Admin calls: an empty ring and no transfers; staging and committing are refused (no cluster here).
    func ring() async -> AdminView.Ring { AdminView.Ring(epoch: 0, partitionCount: 0, members: [], partitions: []) }
    func stageJoin(_ node: String) async throws(AdminRefusal) -> AdminView.Staged { throw AdminRefusal(reason: "no node named '\(node)' is known") }
    func stageLeave(_ node: String) async throws(AdminRefusal) -> AdminView.Staged { throw AdminRefusal(reason: "no node named '\(node)' is known") }
    func plan() async throws(AdminRefusal) -> AdminView.Plan { throw AdminRefusal(reason: "nothing is staged") }
    func commit() async throws(AdminRefusal) -> AdminView.Commit { throw AdminRefusal(reason: "nothing is staged") }
    func transfers() async -> AdminView.Transfers { AdminView.Transfers(transfers: []) }
}

/// One request as it reached the server: method, path with query, the headers a client sets, and the body.
struct SeenRequest: Sendable, Equatable {
    var line: String
    var context: String?
    var contentType: String?
    var body: [UInt8]
}

/// Every request a test server saw, in order.
actor RequestLog {
    private(set) var seen: [SeenRequest] = []
    func add(_ request: SeenRequest) { seen.append(request) }
}

/// Serves routers on 127.0.0.1 at an ephemeral port, logging each request, for the length of a test.
enum LiveServer {
    /// Serves the real `CairnHTTP` router over `node`; `test` gets a client of it and the request log.
    static func withAPI(
        _ node: RecordingNode, limits: ClientLimits = ClientLimits(),
        _ test: @escaping @Sendable (CairnClient, RequestLog) async throws -> Void
    ) async throws {
        try await with(CairnHTTPAPI.router(service: node, metrics: HTTPMetrics()), limits: limits, test)
    }

    /// Serves `router`; `test` gets a client of it and the request log. The server stops when `test` returns.
    static func with(
        _ router: Router<BasicRequestContext>, limits: ClientLimits = ClientLimits(),
        _ test: @escaping @Sendable (CairnClient, RequestLog) async throws -> Void
    ) async throws {
        let log = RequestLog()
        let inner = router.buildResponder()
        let responder = CallbackResponder<BasicRequestContext> { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 4 * 1024 * 1024)
            await log.add(
                SeenRequest(
                    line: "\(request.method) \(request.uri)", context: request.headers[ContextHeader.name],
                    contentType: request.headers[.contentType], body: Array(body.readableBytesView)))
            return try await inner.respond(to: request, context: context)
        }
        let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { testClient in
            let port = try #require(testClient.port)
            let client = try CairnClient(address: NodeAddress(host: "127.0.0.1", port: port), limits: limits)
            try await test(client, log)
        }
    }

    /// A port on 127.0.0.1 where nothing listens: one a server just stopped serving.
    static func closedPort() async throws -> Int {
        let app = Application(router: Router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in try #require(client.port) }
    }
}

/// Contexts as the core encodes them.
enum Contexts {
    static func bytes(_ counter: UInt64) -> [UInt8] { CausalContext.encode(VersionVector([NodeID("n1"): counter])) }
    static func base64(_ counter: UInt64) -> String { Data(bytes(counter)).base64EncodedString() }
}
