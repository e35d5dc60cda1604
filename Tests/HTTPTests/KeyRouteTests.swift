import CairnCore
import CairnHTTP
import CairnReplication
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The key routes' status codes, headers and bodies for each reply the node can give.
@Suite struct KeyRouteTests {
    @Test("GET of one value: 200, the value as the body, the context in X-Cairn-Context")
    func getOneValue() async throws {
        let node = ScriptedNodeService()
        await node.script { .values(id: $0.id, values: [Array("hello".utf8)], context: Fixture.context(3)) }
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: "/tables/t/keys/k?r=3&pr=1", method: .get, headers: [:], body: nil)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "hello")
            #expect(response.headers[Fixture.contextName] == Fixture.base64(Fixture.context(3)))
            #expect(response.headers[.contentType] == "application/octet-stream")
        }
        let request = try #require(await node.requests.first)
        #expect(request.table == "t" && request.key == Array("k".utf8) && request.operation == .get)
        #expect(request.options == RequestOptions(readQuorum: 3, primaryReadQuorum: 1))
    }

    @Test("GET of siblings: 300 with JSON context and siblings (value_base64; last_modified null when the reply has no times)")
    func getSiblings() async throws {
        let node = ScriptedNodeService()
        await node.script { .values(id: $0.id, values: [[1, 2], [255]], context: Fixture.context(2)) }
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: "/tables/t/keys/k", method: .get, headers: [:], body: nil)
            #expect(response.status == .multipleChoices)
            #expect(response.headers[.contentType] == "application/json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(object["context"] as? String == Fixture.base64(Fixture.context(2)))
            let siblings = try #require(object["siblings"] as? [[String: Any]])
            #expect(siblings.map { $0["value_base64"] as? String } == [Fixture.base64([1, 2]), Fixture.base64([255])])
            #expect(siblings.allSatisfy { $0.keys.contains("last_modified") && $0["last_modified"] is NSNull })
        }
    }

    @Test("GET of siblings with their write times: last_modified is each one's time, ISO 8601 in UTC")
    func getSiblingsWithTimes() async throws {
        let node = ScriptedNodeService()
        await node.script {
            .values(id: $0.id, values: [[1], [2]], context: Fixture.context(2), modifiedMilliseconds: [1_795_570_000_123, 0])
        }
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: "/tables/t/keys/k", method: .get, headers: [:], body: nil)
            #expect(response.status == .multipleChoices)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            let siblings = try #require(object["siblings"] as? [[String: Any]])
            #expect(siblings.map { $0["last_modified"] as? String } == ["2026-11-25T01:26:40.123Z", "1970-01-01T00:00:00.000Z"])
        }
    }

    @Test("GET of nothing: 404 without a context; of a tombstone: 404 with its context")
    func getNothingAndTombstone() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            let absent = try await client.executeRequest(uri: "/tables/t/keys/k", method: .get, headers: [:], body: nil)
            #expect(absent.status == .notFound)
            #expect(absent.headers[Fixture.contextName] == nil)
        }
        await node.script { .values(id: $0.id, values: [], context: Fixture.context(5)) }
        try await Fixture.withAPI(node) { client in
            let deleted = try await client.executeRequest(uri: "/tables/t/keys/k", method: .get, headers: [:], body: nil)
            #expect(deleted.status == .notFound)
            #expect(deleted.headers[Fixture.contextName] == Fixture.base64(Fixture.context(5)))
        }
    }

    @Test("PUT: 204, and the body, context header and w/pw reach the node as they were sent")
    func putRoundTripsContext() async throws {
        let node = ScriptedNodeService()
        let context = Fixture.context(7)
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(
                uri: "/tables/t/keys/a%2Fb%FF?w=3&pw=1", method: .put, headers: [Fixture.contextName: Fixture.base64(context)],
                body: ByteBuffer(bytes: [0, 1, 2]))
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
        }
        let request = try #require(await node.requests.first)
        #expect(request.key == Array("a/b".utf8) + [0xFF], "the key is percent-decoded to bytes")
        #expect(request.operation == .put(value: [0, 1, 2], context: context))
        #expect(request.options == RequestOptions(writeQuorum: 3, primaryWriteQuorum: 1))
    }

    @Test("the context a GET answers with, sent back on a PUT, reaches the node byte for byte")
    func contextRoundTrip() async throws {
        let node = ScriptedNodeService()
        let context = CausalContext.encode(VersionVector([NodeID("n1"): 3, NodeID("n2"): 300]))
        await node.script { request in
            switch request.operation {
            case .get: .values(id: request.id, values: [[1], [2]], context: context)
            default: .written(id: request.id)
            }
        }
        try await Fixture.withAPI(node) { client in
            let read = try await client.executeRequest(uri: "/tables/t/keys/k", method: .get, headers: [:], body: nil)
            let header = try #require(read.headers[Fixture.contextName])
            let written = try await client.executeRequest(
                uri: "/tables/t/keys/k", method: .put, headers: [Fixture.contextName: header], body: ByteBuffer(string: "merged"))
            #expect(written.status == .noContent)
        }
        #expect(await node.requests.last?.operation == .put(value: Array("merged".utf8), context: context))
    }

    @Test("PUT without a context sends none; an empty body is an empty value")
    func putWithoutContext() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: "/tables/t/keys/k", method: .put, headers: [:], body: nil)
            #expect(response.status == .noContent)
        }
        #expect(await node.requests.map(\.operation) == [.put(value: [], context: nil)])
    }

    @Test("PUT with returnbody=true: 200 with the value and context, or 300 when siblings remain")
    func putReturnBody() async throws {
        let node = ScriptedNodeService()
        await node.script { request in
            switch request.operation {
            case .get: .values(id: request.id, values: [Array("new".utf8)], context: Fixture.context(9))
            default: .written(id: request.id)
            }
        }
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(
                uri: "/tables/t/keys/k?returnbody=true", method: .put, headers: [:], body: ByteBuffer(string: "new"))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "new")
            #expect(response.headers[Fixture.contextName] == Fixture.base64(Fixture.context(9)))
        }
        #expect(await node.requests.map(\.operation) == [.put(value: Array("new".utf8), context: nil), .get])

        await node.script { request in
            switch request.operation {
            case .get: .values(id: request.id, values: [[1], [2]], context: Fixture.context(9))
            default: .written(id: request.id)
            }
        }
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(
                uri: "/tables/t/keys/k?returnbody=true", method: .put, headers: [:], body: ByteBuffer(string: "x"))
            #expect(response.status == .multipleChoices)
            #expect(try Fixture.json([String: AnyDecodable].self, response.body)["siblings"] != nil)
        }
    }

    @Test("DELETE: 204, carrying the context as a delete")
    func deleteWithContext() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(
                uri: "/tables/t/keys/k?w=1", method: .delete, headers: [Fixture.contextName: Fixture.base64(Fixture.context(4))],
                body: nil)
            #expect(response.status == .noContent)
        }
        let request = try #require(await node.requests.first)
        #expect(request.operation == .delete(context: Fixture.context(4)))
        #expect(request.options.writeQuorum == 1)
    }

    @Test("a quorum not reached in time: 503 saying how many replicas answered")
    func quorumTimeout() async throws {
        let node = ScriptedNodeService()
        await node.script { .failed(id: $0.id, error: .timeout(needed: 2, got: 1)) }
        try await Fixture.withAPI(node) { client in
            for method in [HTTPRequest.Method.get, .put, .delete] {
                let response = try await client.executeRequest(uri: "/tables/t/keys/k", method: method, headers: [:], body: nil)
                #expect(response.status == .serviceUnavailable)
                let body = try Fixture.json([String: AnyDecodable].self, response.body)
                #expect(body["error"]?.text == "quorum not reached in time: 1 of 2 replicas answered")
                #expect(body["replicas_answered"]?.number == 1)
                #expect(body["replicas_needed"]?.number == 2)
            }
        }
    }

    @Test("a storage failure on the node is a 500 that says so")
    func storageFailure() async throws {
        let node = ScriptedNodeService()
        await node.script { .failed(id: $0.id, error: .storageFailure("disk gone")) }
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: "/tables/t/keys/k", method: .get, headers: [:], body: nil)
            #expect(response.status == .internalServerError)
            #expect(try Fixture.errorMessage(response.body) == "the stored copy could not be read: disk gone")
        }
    }
}

/// A JSON value of any type, for looking at fields of a response without a schema.
struct AnyDecodable: Decodable {
    var text: String?
    var number: Int?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        text = try? container.decode(String.self)
        number = try? container.decode(Int.self)
    }
}
