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
            try await client.execute(uri: "/admin/ring", method: .get) { response in
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
            try await client.execute(uri: "/admin/join", method: .post, body: ByteBuffer(string: #"{"node": "n3"}"#)) { response in
                #expect(response.status == .ok)
                #expect(try Fixture.json(AdminView.Staged.self, response.body) == AdminView.Staged(staged: ["join n3"]))
            }
            try await client.execute(uri: "/admin/leave", method: .post, body: ByteBuffer(string: #"{"node": "n2"}"#)) { response in
                #expect(try Fixture.json(AdminView.Staged.self, response.body).staged == ["join n3", "leave n2"])
            }
            try await client.execute(uri: "/admin/plan", method: .get) { response in
                let plan = try Fixture.json(AdminView.Plan.self, response.body)
                #expect(plan.staged == ["join n3", "leave n2"])
                #expect(plan.moves == [AdminView.Move(table: "t", partition: 1, from: "n1", to: "n3")])
            }
            try await client.execute(uri: "/admin/commit", method: .post) { response in
                #expect(try Fixture.json(AdminView.Commit.self, response.body) == AdminView.Commit(epoch: 3, moves: 1))
            }
            try await client.execute(uri: "/admin/plan", method: .get) { response in
                #expect(try Fixture.json(AdminView.Plan.self, response.body).staged.isEmpty)
            }
        }
    }

    @Test("GET /admin/transfers uses keys_sent and bytes_sent")
    func transfers() async throws {
        try await Fixture.withAPI { client in
            try await client.execute(uri: "/admin/transfers", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#""keys_sent":12"#))
                #expect(text.contains(#""bytes_sent":3400"#))
                #expect(text.contains(#""state":"scanning""#))
            }
        }
    }

    @Test("a refused action, a body that is not JSON and an empty node name are 400s naming the problem")
    func refusals() async throws {
        let node = ScriptedNodeService()
        await node.refuseAdmin(AdminRefusal(reason: "cannot stage join of n9: not a known member"))
        try await Fixture.withAPI(node) { client in
            try await client.execute(uri: "/admin/join", method: .post, body: ByteBuffer(string: #"{"node": "n9"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(try Fixture.errorMessage(response.body) == "cannot stage join of n9: not a known member")
            }
            try await client.execute(uri: "/admin/commit", method: .post) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/admin/leave", method: .post, body: ByteBuffer(string: "garbage")) { response in
                #expect(response.status == .badRequest)
                #expect(try Fixture.errorMessage(response.body).contains("{\"node\": \"NAME\"}"))
            }
            try await client.execute(uri: "/admin/join", method: .post, body: ByteBuffer(string: #"{"node": ""}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(try Fixture.errorMessage(response.body).contains("not within 1…64 bytes"))
            }
        }
    }
}
