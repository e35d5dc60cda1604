import CairnClient
import CairnCore
import CairnReplication
import Foundation
import Testing

/// `CairnClient`'s key calls against the real `CairnHTTP` router on a socket: what it sends, how it decodes.
@Suite struct ClientKeyTests {
    @Test("get sends r and pr, percent-encodes the key, and decodes a 200 as the value and its context")
    func getValue() async throws {
        let node = RecordingNode()
        await node.script { .values(id: $0.id, values: [[0x68, 0x69, 0xFF]], context: Contexts.bytes(3)) }
        try await LiveServer.withAPI(node) { client, log in
            let result = try await client.get(table: "t", key: Array("a/b c".utf8), options: ReadOptions(r: 2, pr: 1))
            #expect(result == .value([0x68, 0x69, 0xFF], context: Contexts.base64(3)))
            #expect(await log.seen.map(\.line) == ["GET /tables/t/keys/a%2Fb%20c?r=2&pr=1"])
        }
        let request = try #require(await node.requests.first)
        #expect(request.key == Array("a/b c".utf8) && request.table == "t" && request.operation == .get)
        #expect(request.options == RequestOptions(readQuorum: 2, primaryReadQuorum: 1))
    }

    @Test("a 300 decodes into every sibling's bytes and the context that supersedes them")
    func getSiblings() async throws {
        let node = RecordingNode()
        await node.script { .values(id: $0.id, values: [Array("red".utf8), [0, 1, 2]], context: Contexts.bytes(9)) }
        try await LiveServer.withAPI(node) { client, _ in
            let result = try await client.get(table: "t", key: [0xFF])
            #expect(result == .siblings([Array("red".utf8), [0, 1, 2]], context: Contexts.base64(9)))
        }
        #expect(await node.requests.map(\.key) == [[0xFF]])
    }

    @Test("a 404 is not found, with the tombstone's context when there is one and none for a key never written")
    func notFound() async throws {
        let node = RecordingNode()
        await node.script { .values(id: $0.id, values: [], context: $0.key == Array("gone".utf8) ? Contexts.bytes(2) : CausalContext.encode(.empty)) }
        try await LiveServer.withAPI(node) { client, _ in
            let gone = try await client.get(table: "t", key: Array("gone".utf8))
            let never = try await client.get(table: "t", key: Array("never".utf8))
            #expect(gone == .notFound(context: Contexts.base64(2)))
            #expect(never == .notFound(context: nil))
        }
    }

    @Test("put sends the body, the context header, w, pw and returnbody, and decodes the read-back")
    func putWithEverything() async throws {
        let node = RecordingNode()
        await node.script { request in
            request.operation == .get ? .values(id: request.id, values: [[7, 8]], context: Contexts.bytes(5)) : .written(id: request.id)
        }
        try await LiveServer.withAPI(node) { client, log in
            let result = try await client.put(
                table: "t", key: Array("k".utf8), value: [7, 8], context: Contexts.base64(4),
                options: WriteOptions(w: 3, pw: 1, returnBody: true))
            #expect(result == .value([7, 8], context: Contexts.base64(5)))
            let seen = try #require(await log.seen.first)
            #expect(seen == SeenRequest(
                line: "PUT /tables/t/keys/k?w=3&pw=1&returnbody=true", context: Contexts.base64(4),
                contentType: "application/octet-stream", body: [7, 8]))
        }
        let put = try #require(await node.requests.first)
        #expect(put.operation == .put(value: [7, 8], context: Contexts.bytes(4)))
        #expect(put.options == RequestOptions(writeQuorum: 3, primaryWriteQuorum: 1))
    }

    @Test("a plain put is a 204 (nil), an empty value is sent as an empty body, and no context means no header")
    func plainPut() async throws {
        let node = RecordingNode()
        try await LiveServer.withAPI(node) { client, log in
            let written = try await client.put(table: "t", key: [1], value: [])
            #expect(written == nil)
            #expect(await log.seen == [SeenRequest(line: "PUT /tables/t/keys/%01", context: nil, contentType: "application/octet-stream", body: [])])
        }
        #expect(await node.requests.map(\.operation) == [.put(value: [], context: nil)])
    }

    @Test("delete sends the context and w, and expects a 204")
    func delete() async throws {
        let node = RecordingNode()
        try await LiveServer.withAPI(node) { client, log in
            try await client.delete(table: "t", key: Array("k".utf8), context: Contexts.base64(6), options: WriteOptions(w: 1))
            #expect(await log.seen.map(\.line) == ["DELETE /tables/t/keys/k?w=1"])
            #expect(await log.seen.map(\.context) == [Contexts.base64(6)])
        }
        #expect(await node.requests.map(\.operation) == [.delete(context: Contexts.bytes(6))])
    }

    @Test("a 400 carries the server's error message and status")
    func badRequest() async throws {
        let node = RecordingNode()
        await node.script { .failed(id: $0.id, error: .unknownTable("nope")) }
        try await LiveServer.withAPI(node) { client, _ in
            let error = await #expect(throws: CairnClientError.self) { try await client.get(table: "nope", key: [1]) }
            #expect(error == .server(status: 400, message: "no table named 'nope'", replicasAnswered: nil, replicasNeeded: nil))
            #expect(error?.description == "server answered 400: no table named 'nope'")
        }
    }

    @Test("a 503 says how many replicas answered and were needed")
    func quorumNotReached() async throws {
        let node = RecordingNode()
        await node.script { .failed(id: $0.id, error: .timeout(needed: 2, got: 1)) }
        try await LiveServer.withAPI(node) { client, _ in
            let error = await #expect(throws: CairnClientError.self) { try await client.put(table: "t", key: [1], value: [2]) }
            #expect(error == .server(
                status: 503, message: "quorum not reached in time: 1 of 2 replicas answered", replicasAnswered: 1, replicasNeeded: 2))
        }
    }

    @Test("an empty key, a value over valueBytesMax and an empty table are refused before anything is sent")
    func refusedLocally() async throws {
        let node = RecordingNode()
        try await LiveServer.withAPI(node, limits: ClientLimits(valueBytesMax: 4)) { client, log in
            await #expect(throws: CairnClientError.invalidArgument("the key is empty")) { try await client.get(table: "t", key: []) }
            await #expect(throws: CairnClientError.invalidArgument("value of 5 bytes exceeds valueBytesMax (4 bytes)")) {
                try await client.put(table: "t", key: [1], value: [1, 2, 3, 4, 5])
            }
            await #expect(throws: CairnClientError.invalidArgument("the table name is empty")) { try await client.delete(table: "", key: [1]) }
            #expect(await log.seen.isEmpty)
        }
    }
}
