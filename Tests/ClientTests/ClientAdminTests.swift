import CairnClient
import Foundation
import Hummingbird
import Testing

/// `CairnClient`'s admin calls against a scripted router answering the admin routes' contract (with extra
/// fields, which the client must tolerate).
@Suite struct ClientAdminTests {
    /// The contract's answers, each with a field the contract does not name.
    static func scriptedAdmin() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/admin/ring") { _, _ in
            Self.json(#"""
                {"epoch": 3, "partition_count": 4, "extra": true,
                 "members": [{"node": "n1", "status": "joined", "zone": "a", "partitions": 3, "weight": 1},
                             {"node": "n2", "status": "joining", "zone": "b", "partitions": 1}],
                 "partitions": [{"partition": 0, "owner": "n1"}, {"partition": 1, "owner": "n1"},
                                {"partition": 2, "owner": "n1"}, {"partition": 3, "owner": "n2"}]}
                """#)
        }
        router.post("/admin/join") { _, _ in Self.json(#"{"staged": ["join n4"], "note": "x"}"#) }
        router.post("/admin/leave") { _, _ in Self.json(#"{"staged": ["join n4", "leave n2"]}"#) }
        router.get("/admin/plan") { _, _ in
            Self.json(#"{"staged": ["join n4"], "moves": [{"table": "default", "partition": 5, "from": "n1", "to": "n4", "keys": 9}]}"#)
        }
        router.post("/admin/commit") { _, _ in Self.json(#"{"epoch": 4, "moves": 1}"#) }
        router.get("/admin/transfers") { _, _ in
            Self.json(#"""
                {"transfers": [{"table": "default", "partition": 5, "from": "n1", "to": "n4", "state": "sending",
                                "keys_sent": 120, "bytes_sent": 4096, "started": "now"}],
                 "incoming": [{"table": "default", "partition": 9, "from": "n2", "to": "n1", "state": "receiving",
                               "keys_received": 30, "bytes_received": 1024}]}
                """#)
        }
        return router
    }

    /// A 200 with `text` as its JSON body.
    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Test("ring decodes the epoch, members and partitions, ignoring fields it does not know")
    func ring() async throws {
        try await LiveServer.with(Self.scriptedAdmin()) { client, log in
            let ring = try await client.ring()
            #expect(ring.epoch == 3 && ring.partitionCount == 4)
            #expect(ring.members.map(\.node) == ["n1", "n2"] && ring.members.map(\.partitions) == [3, 1])
            #expect(ring.members.map(\.status) == ["joined", "joining"] && ring.members.map(\.zone) == ["a", "b"])
            #expect(ring.partitions.map(\.owner) == ["n1", "n1", "n1", "n2"])
            #expect(await log.seen.map(\.line) == ["GET /admin/ring"])
        }
    }

    @Test("join and leave POST {\"node\": NAME} as JSON and return the staged changes")
    func joinAndLeave() async throws {
        try await LiveServer.with(Self.scriptedAdmin()) { client, log in
            let joined = try await client.join("n4")
            let left = try await client.leave("n2")
            #expect(joined == ["join n4"] && left == ["join n4", "leave n2"])
            let seen = await log.seen
            #expect(seen.map(\.line) == ["POST /admin/join", "POST /admin/leave"])
            #expect(seen.map(\.contentType) == ["application/json", "application/json"])
            let bodies = try seen.map { try JSONDecoder().decode([String: String].self, from: Data($0.body)) }
            #expect(bodies == [["node": "n4"], ["node": "n2"]])
            await #expect(throws: CairnClientError.invalidArgument("the node name is empty")) { try await client.join("") }
        }
    }

    @Test("plan, commit and transfers decode the contract's answers")
    func planCommitTransfers() async throws {
        try await LiveServer.with(Self.scriptedAdmin()) { client, log in
            let plan = try await client.plan()
            #expect(plan.staged == ["join n4"])
            #expect(plan.moves.map { "\($0.table) \($0.partition) \($0.from)→\($0.to)" } == ["default 5 n1→n4"])
            let commit = try await client.commit()
            #expect(commit.epoch == 4 && commit.moves == 1)
            let transfers = try await client.transfers()
            #expect(transfers.outgoing.map(\.state) == ["sending"] && transfers.outgoing.map(\.keysSent) == [120])
            #expect(transfers.outgoing.map(\.bytesSent) == [4096])
            #expect(transfers.incoming.map(\.partition) == [9] && transfers.incoming.map(\.from) == ["n2"])
            #expect(transfers.incoming.map(\.state) == ["receiving"] && transfers.incoming.map(\.keysReceived) == [30])
            #expect(transfers.incoming.map(\.bytesReceived) == [1024])
            #expect(await log.seen.map(\.line) == ["GET /admin/plan", "POST /admin/commit", "GET /admin/transfers"])
        }
    }
}

/// Answers that break the contract are one-line errors naming the route and the problem.
@Suite struct ClientContractTests {
    @Test("a missing field, a wrong type and a non-JSON body each name the problem and the route; a bare 404 is a missing route")
    func brokenAnswers() async throws {
        let router = Router()
        router.post("/admin/commit") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"moves": 1}"#)))
        }
        router.get("/admin/plan") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"staged": "join n4", "moves": []}"#)))
        }
        router.get("/admin/transfers") { _, _ in "<html>" }
        try await LiveServer.with(router) { client, _ in
            await #expect(throws: CairnClientError.invalidResponse(route: "POST /admin/commit", problem: "its JSON does not decode: missing field 'epoch'")) {
                try await client.commit()
            }
            let plan = await #expect(throws: CairnClientError.self) { try await client.plan() }
            #expect(plan?.description.hasPrefix("unexpected answer to GET /admin/plan: its JSON does not decode: 'staged' is not of type") == true, "\(String(describing: plan))")
            await #expect(throws: CairnClientError.routeMissing(route: "GET /tables/t/keys/k", node: client.address.description)) {
                try await client.get(table: "t", key: Array("k".utf8))
            }
            let error = await #expect(throws: CairnClientError.self) { try await client.transfers() }
            #expect(error?.description.hasPrefix("unexpected answer to GET /admin/transfers: its JSON does not decode: not valid JSON") == true, "\(String(describing: error))")
        }
    }
}
