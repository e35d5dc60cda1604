import CairnCore
import CairnHTTP
import CairnReplication
import CairnStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `PUT /tables/{table}`, `GET /tables` and `GET /status`.
@Suite struct TableRouteTests {
    static let lmdbTable = TableDescription(
        name: "default", engine: .lmdb, settings: TableSettings(replicas: 3, readQuorum: 2, writeQuorum: 2, policy: .siblings),
        durability: .sync)

    @Test("PUT /tables/{table}: 200 with the table; the node gets the parsed definition")
    func createTable() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            let body = #"{"engine": "memory", "n": 5, "r": 1, "w": 4, "policy": "lww", "durability": "buffered"}"#
            let response = try await client.executeRequest(uri: "/tables/cart", method: .put, headers: [:], body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            let table = try Fixture.json(TableDescription.self, response.body)
            #expect(table.name == "cart" && table.engine == .memory && table.durability == .buffered)
            #expect(table.settings == TableSettings(replicas: 5, readQuorum: 1, writeQuorum: 4, policy: .lww))
        }
        #expect(await node.createdTables.map(\.name) == ["cart"])
    }

    @Test("only engine is required: n, r, w, policy and durability take their defaults")
    func createTableDefaults() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(
                uri: "/tables/default", method: .put, headers: [:], body: ByteBuffer(string: #"{"engine":"lmdb"}"#))
            #expect(response.status == .ok)
        }
        #expect(await node.createdTables == [Self.lmdbTable])
    }

    @Test(
        "bad table bodies are 400s naming the field",
        arguments: [
            (#"{"engine":"lmdb","n":3,"r":4,"w":2}"#, "invalid quorum: R 4 and W 2 must be 1…N (3)"),
            (#"{"engine":"lmdb","n":9}"#, "invalid quorum: N is 9, must be 1…7"),
            (#"{"engine":"oracle"}"#, "field 'engine' must be one of memory, lmdb, leveldb, rocksdb, got 'oracle'"),
            (#"{"engine":"lmdb","policy":"first"}"#, "field 'policy' must be one of siblings, lww, got 'first'"),
            (#"{"engine":"lmdb","durability":1}"#, "field 'durability' must be one of sync, buffered, got 1"),
            (#"{"engine":"lmdb","n":"3"}"#, "field 'n' must be an integer, got '3'"),
            (#"{"engine":"lmdb","n":2.5}"#, "field 'n' must be an integer, got 2.5"),
            (#"{"engine":"lmdb","N":3}"#, "unknown field 'N' (known: engine, n, r, w, policy, durability)"),
            (#"{"n":3}"#, "field 'engine' is required"),
            ("engine=lmdb", "the body must be a JSON object with fields engine, n, r, w, policy, durability"),
        ])
    func badTableBodies(body: String, message: String) async throws {
        let node = ScriptedNodeService()
        let (status, error) = try await BadInputTests.refusal("/tables/t", .put, body: ByteBuffer(string: body), node: node)
        #expect(status == .badRequest)
        #expect(error == message)
        #expect(await node.createdTables.isEmpty)
    }

    @Test("a table body over tableBodyBytesMax is refused naming the limit")
    func tableBodyOverLimit() async throws {
        let body = ByteBuffer(repeating: UInt8(ascii: " "), count: HTTPLimits.tableBodyBytesMax + 1)
        let (status, error) = try await BadInputTests.refusal("/tables/t", .put, body: body)
        #expect(status == .badRequest)
        #expect(error == "table JSON body of \(HTTPLimits.tableBodyBytesMax + 1) bytes exceeds tableBodyBytesMax (\(HTTPLimits.tableBodyBytesMax) bytes)")
    }

    @Test("the node's refusal to create a table is a 400 with its reason")
    func nodeRefusesTable() async throws {
        let node = ScriptedNodeService()
        await node.refuseTables(TableRefusal(reason: "table 't' exists with n=3"))
        let (status, error) = try await BadInputTests.refusal("/tables/t", .put, body: ByteBuffer(string: #"{"engine":"lmdb","n":5}"#), node: node)
        #expect(status == .badRequest)
        #expect(error == "table 't' not created: table 't' exists with n=3")
    }

    @Test("GET /tables lists the node's tables by name")
    func listTables() async throws {
        let node = ScriptedNodeService()
        var other = Self.lmdbTable
        other.name = "alpha"
        await node.setTables([Self.lmdbTable, other])
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: "/tables", method: .get, headers: [:], body: nil)
            #expect(response.status == .ok)
            let listing = try Fixture.json([String: [TableDescription]].self, response.body)
            #expect(listing["tables"]?.map(\.name) == ["alpha", "default"])
        }
    }

    @Test("GET /status is the node's status as snake_case JSON")
    func status() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: "/status", method: .get, headers: [:], body: nil)
            #expect(response.status == .ok)
            #expect(try Fixture.json(NodeStatus.self, response.body) == (await node.currentStatus))
            let text = String(buffer: response.body)
            for field in ["\"hints_pending\":17", "\"storage_errors\":3", "\"keys_sent\":40", "\"epoch\":4", "\"health\":\"suspect\""] {
                #expect(text.contains(field), "\(field) in \(text)")
            }
        }
    }
}
