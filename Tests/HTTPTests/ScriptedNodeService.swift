import CairnCore
import CairnHTTP
import CairnReplication
import Foundation
import Hummingbird
import HummingbirdTesting

/// A `NodeService` test double: records every call and answers with scripted replies.
actor ScriptedNodeService: NodeService {
    /// Answers client requests; by default every get finds nothing and every write succeeds.
    var answer: @Sendable (ClientRequest) -> ClientReply = { request in
        switch request.operation {
        case .get: .values(id: request.id, values: [], context: CausalContext.encode(.empty))
        case .put, .delete: .written(id: request.id)
        }
    }
    var tableRefusal: TableRefusal?
    var knownTables: [TableDescription] = []
    var currentStatus = NodeStatus(
        node: "n1", ring: RingStatus(epoch: 4, owners: ["n1", "n2", "n1", "n2"]),
        members: [MemberStatus(name: "n1", zone: "a", health: .alive), MemberStatus(name: "n2", health: .suspect)],
        hintsPending: 17, transfers: [TransferStatus(table: "t", partition: 2, from: "n1", to: "n2", keysSent: 40, keysTotal: 100)],
        storageErrors: 3)

    private(set) var requests: [ClientRequest] = []
    private(set) var createdTables: [TableDescription] = []

    func perform(_ request: ClientRequest) async -> ClientReply {
        requests.append(request)
        return answer(request)
    }

    func createTable(_ table: TableDescription) async throws(TableRefusal) -> TableDescription {
        createdTables.append(table)
        if let tableRefusal { throw tableRefusal }
        return table
    }

    func tables() async -> [TableDescription] { knownTables }

    func status() async -> NodeStatus { currentStatus }

    var adminRefusal: AdminRefusal?
    var stagedChanges: [String] = []
    var currentRing = AdminView.Ring(
        epoch: 2, partitionCount: 4,
        members: [.init(node: "n1", status: "valid", zone: "a", partitions: 2), .init(node: "n2", status: "valid", zone: nil, partitions: 2)],
        partitions: [.init(partition: 0, owner: "n1"), .init(partition: 1, owner: "n2"), .init(partition: 2, owner: "n1"), .init(partition: 3, owner: "n2")])
    var currentTransfers = AdminView.Transfers(transfers: [
        .init(table: "t", partition: 1, from: "n1", to: "n3", state: "scanning", keysSent: 12, bytesSent: 3_400)
    ], incoming: [
        .init(table: "t", partition: 3, from: "n2", to: "n1", state: "receiving", keysReceived: 7, bytesReceived: 900)
    ])

    func ring() async -> AdminView.Ring { currentRing }

    func stageJoin(_ node: String) async throws(AdminRefusal) -> AdminView.Staged {
        if let adminRefusal { throw adminRefusal }
        stagedChanges.append("join \(node)")
        return AdminView.Staged(staged: stagedChanges)
    }

    func stageLeave(_ node: String) async throws(AdminRefusal) -> AdminView.Staged {
        if let adminRefusal { throw adminRefusal }
        stagedChanges.append("leave \(node)")
        return AdminView.Staged(staged: stagedChanges)
    }

    func plan() async throws(AdminRefusal) -> AdminView.Plan {
        if let adminRefusal { throw adminRefusal }
        let moves = stagedChanges.isEmpty ? [] : [AdminView.Move(table: "t", partition: 1, from: "n1", to: "n3")]
        return AdminView.Plan(staged: stagedChanges, moves: moves)
    }

    func commit() async throws(AdminRefusal) -> AdminView.Commit {
        if let adminRefusal { throw adminRefusal }
        let moves = stagedChanges.isEmpty ? 0 : 1
        stagedChanges = []
        currentRing.epoch += 1
        return AdminView.Commit(epoch: currentRing.epoch, moves: moves)
    }

    func transfers() async -> AdminView.Transfers { currentTransfers }

    func refuseAdmin(_ refusal: AdminRefusal) { adminRefusal = refusal }

    func script(_ answer: @escaping @Sendable (ClientRequest) -> ClientReply) { self.answer = answer }
    func refuseTables(_ refusal: TableRefusal) { tableRefusal = refusal }
    func setTables(_ tables: [TableDescription]) { knownTables = tables }
}

/// Shared helpers: an API over a fresh double, contexts and body decoding.
enum Fixture {
    static let contextName = ContextHeader.name

    /// A real context as the core encodes it, recording `counter` writes by node `n1`.
    static func context(_ counter: UInt64) -> [UInt8] {
        CausalContext.encode(VersionVector([NodeID("n1"): counter]))
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func withAPI(
        _ node: ScriptedNodeService = ScriptedNodeService(), metrics: HTTPMetrics = HTTPMetrics(),
        _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let app = Application(router: CairnHTTPAPI.router(service: node, metrics: metrics))
        try await app.test(.router, test)
    }

    static func json<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    /// The `error` field of a JSON error body.
    static func errorMessage(_ buffer: ByteBuffer) throws -> String {
        try json([String: String].self, buffer)["error"] ?? ""
    }
}
