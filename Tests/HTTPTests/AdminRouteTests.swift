import CairnHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The admin routes answer the contract's JSON and turn refusals and bad bodies into 400s naming the problem.
@Suite("Admin routes")
struct AdminRouteTests {
    @Test("GET /admin/ring gives epoch, partition_count, members and partitions")
    func ring() async throws {
        try await Fixture.withAPI { client in
            do {
                let response = try await client.executeRequest(uri: "/admin/ring", method: .get, headers: [:], body: ByteBuffer())
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(body?["epoch"] as? Int == 2)
                #expect(body?["partition_count"] as? Int == 4)
                let members = body?["members"] as? [[String: Any]]
                #expect(members?.first?["node"] as? String == "n1")
                #expect(members?.first?["partitions"] as? Int == 2)
                #expect((body?["partitions"] as? [[String: Any]])?.count == 4)
            }
        }
    }

    @Test("join then leave stage changes; plan lists them with moves; commit returns the new epoch and clears them")
    func joinPlanCommit() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            do {
                let response = try await client.executeRequest(uri: "/admin/join", method: .post, headers: [:], body: ByteBuffer(string: #"{"node": "n3"}"#))
                #expect(response.status == .ok)
                #expect(try Fixture.json(AdminView.Staged.self, response.body) == AdminView.Staged(staged: ["join n3"]))
            }
            do {
                let response = try await client.executeRequest(uri: "/admin/leave", method: .post, headers: [:], body: ByteBuffer(string: #"{"node": "n2"}"#))
                #expect(try Fixture.json(AdminView.Staged.self, response.body).staged == ["join n3", "leave n2"])
            }
            do {
                let response = try await client.executeRequest(uri: "/admin/plan", method: .get, headers: [:], body: ByteBuffer())
                let plan = try Fixture.json(AdminView.Plan.self, response.body)
                #expect(plan.staged == ["join n3", "leave n2"])
                #expect(plan.moves == [AdminView.Move(table: "t", partition: 1, from: "n1", to: "n3")])
            }
            do {
                let response = try await client.executeRequest(uri: "/admin/commit", method: .post, headers: [:], body: ByteBuffer())
                #expect(try Fixture.json(AdminView.Commit.self, response.body) == AdminView.Commit(epoch: 3, moves: 1))
            }
            do {
                let response = try await client.executeRequest(uri: "/admin/plan", method: .get, headers: [:], body: ByteBuffer())
                #expect(try Fixture.json(AdminView.Plan.self, response.body).staged.isEmpty)
            }
        }
    }

    @Test("GET /admin/transfers lists outgoing transfers (keys_sent, bytes_sent) and incoming ones (keys_received, bytes_received)")
    func transfers() async throws {
        try await Fixture.withAPI { client in
            do {
                let response = try await client.executeRequest(uri: "/admin/transfers", method: .get, headers: [:], body: ByteBuffer())
                let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let outgoing = try #require(object["transfers"] as? [[String: Any]])
                #expect(outgoing.count == 1)
                #expect(outgoing.first?["keys_sent"] as? Int == 12)
                #expect(outgoing.first?["bytes_sent"] as? Int == 3_400)
                #expect(outgoing.first?["state"] as? String == "scanning")
                let incoming = try #require(object["incoming"] as? [[String: Any]])
                #expect(incoming.count == 1)
                #expect(incoming.first?["partition"] as? Int == 3)
                #expect(incoming.first?["from"] as? String == "n2")
                #expect(incoming.first?["to"] as? String == "n1")
                #expect(incoming.first?["state"] as? String == "receiving")
                #expect(incoming.first?["keys_received"] as? Int == 7)
                #expect(incoming.first?["bytes_received"] as? Int == 900)
            }
        }
    }

    @Test("a refused action, a body that is not JSON and an empty node name are 400s naming the problem")
    func refusals() async throws {
        let node = ScriptedNodeService()
        await node.refuseAdmin(AdminRefusal(reason: "cannot stage join of n9: not a known member"))
        try await Fixture.withAPI(node) { client in
            do {
                let response = try await client.executeRequest(uri: "/admin/join", method: .post, headers: [:], body: ByteBuffer(string: #"{"node": "n9"}"#))
                #expect(response.status == .badRequest)
                #expect(try Fixture.errorMessage(response.body) == "cannot stage join of n9: not a known member")
            }
            do {
                let response = try await client.executeRequest(uri: "/admin/commit", method: .post, headers: [:], body: ByteBuffer())
                #expect(response.status == .badRequest)
            }
            do {
                let response = try await client.executeRequest(uri: "/admin/leave", method: .post, headers: [:], body: ByteBuffer(string: "garbage"))
                #expect(response.status == .badRequest)
                #expect(try Fixture.errorMessage(response.body).contains("{\"node\": \"NAME\"}"))
            }
            do {
                let response = try await client.executeRequest(uri: "/admin/join", method: .post, headers: [:], body: ByteBuffer(string: #"{"node": ""}"#))
                #expect(response.status == .badRequest)
                #expect(try Fixture.errorMessage(response.body).contains("not within 1…64 bytes"))
            }
        }
    }
}
