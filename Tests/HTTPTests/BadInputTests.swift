import CairnCore
import CairnHTTP
import CairnReplication
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every bad input gets a 400 whose `error` names the problem, and the node is not asked when the API can tell.
@Suite struct BadInputTests {
    /// Sends one request and returns its status and error message.
    static func refusal(
        _ uri: String, _ method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: ByteBuffer? = nil,
        node: ScriptedNodeService = ScriptedNodeService()
    ) async throws -> (HTTPResponse.Status, String) {
        let box = ResultBox()
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
            await box.set(response.status, try Fixture.errorMessage(response.body))
        }
        return try #require(await box.value)
    }

    static let keyAtLimit = String(repeating: "k", count: HTTPLimits.keyBytesMax)

    @Test(
        "query parameters and keys the API refuses itself",
        arguments: [
            ("/tables/t/keys/k?r=abc", "query parameter 'r' must be an integer 1…7, got 'abc'"),
            ("/tables/t/keys/k?r=0", "query parameter 'r' must be an integer 1…7, got '0'"),
            ("/tables/t/keys/k?pr=8", "query parameter 'pr' must be an integer 0…7, got '8'"),
            ("/tables/t/keys/k?w=2", "unknown query parameter 'w' (known here: pr, r)"),
            ("/tables/t/keys/k?r=1&r=2", "query parameter 'r' is given twice"),
            ("/tables/t/keys/" + keyAtLimit + "k",
             "key of \(HTTPLimits.keyBytesMax + 1) bytes is not within 1…\(HTTPLimits.keyBytesMax) bytes (keyBytesMax)"),
            ("/tables/t/keys/a%zz", "the key has a malformed percent-encoding: '%' must be followed by two hex digits"),
            ("/tables/" + String(repeating: "t", count: 65) + "/keys/k",
             "table name of 65 bytes exceeds tableNameBytesMax (64 bytes)"),
        ])
    func refusedBeforeTheNode(uri: String, message: String) async throws {
        let node = ScriptedNodeService()
        let (status, error) = try await Self.refusal(uri, node: node)
        #expect(status == .badRequest)
        #expect(error == message)
        #expect(await node.requests.isEmpty)
    }

    @Test("a key of exactly keyBytesMax bytes is accepted")
    func keyAtLimitAccepted() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            let response = try await client.executeRequest(uri: "/tables/t/keys/" + Self.keyAtLimit, method: .get, headers: [:], body: nil)
            #expect(response.status == .notFound)
        }
        #expect(await node.requests.first?.key.count == HTTPLimits.keyBytesMax)
    }

    @Test("returnbody must be true or false")
    func badReturnBody() async throws {
        let (status, error) = try await Self.refusal("/tables/t/keys/k?returnbody=yes", .put)
        #expect(status == .badRequest)
        #expect(error == "query parameter 'returnbody' must be true or false, got 'yes'")
    }

    @Test(
        "a malformed context is refused naming the header",
        arguments: [
            ("not base64!", "malformed X-Cairn-Context: it is not base64"),
            (Fixture.base64([9, 9, 9]), "malformed X-Cairn-Context: corrupt replica data"),
        ])
    func malformedContext(header: String, messagePrefix: String) async throws {
        let node = ScriptedNodeService()
        let (status, error) = try await Self.refusal(
            "/tables/t/keys/k", .put, headers: [Fixture.contextName: header], body: ByteBuffer(string: "v"), node: node)
        #expect(status == .badRequest)
        #expect(error.hasPrefix(messagePrefix), "\(error)")
        #expect(await node.requests.isEmpty)
    }

    @Test("a context header over contextHeaderBytesMax is refused naming the limit")
    func contextOverLimit() async throws {
        let header = String(repeating: "A", count: HTTPLimits.contextHeaderBytesMax + 4)
        let (status, error) = try await Self.refusal("/tables/t/keys/k", .delete, headers: [Fixture.contextName: header])
        #expect(status == .badRequest)
        #expect(error == "malformed X-Cairn-Context: \(header.utf8.count) bytes exceed contextHeaderBytesMax (\(HTTPLimits.contextHeaderBytesMax) bytes)")
    }

    @Test("an oversized value is refused naming valueBytesMax, and the server answers the next request")
    func oversizedValue() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            let big = ByteBuffer(repeating: 7, count: HTTPLimits.valueBytesMax + 1)
            let refused = try await client.executeRequest(uri: "/tables/t/keys/k", method: .put, headers: [:], body: big)
            #expect(refused.status == .badRequest)
            #expect(try Fixture.errorMessage(refused.body)
                == "value of \(HTTPLimits.valueBytesMax + 1) bytes exceeds valueBytesMax (\(HTTPLimits.valueBytesMax) bytes)")
            let atLimit = ByteBuffer(repeating: 7, count: HTTPLimits.valueBytesMax)
            let next = try await client.executeRequest(uri: "/tables/t/keys/k", method: .put, headers: [:], body: atLimit)
            #expect(next.status == .noContent)
        }
        #expect(await node.requests.map(\.key) == [Array("k".utf8)], "only the value within the limit reached the node")
    }

    @Test(
        "the core's refusals are 400s carrying its message",
        arguments: [
            (ReplicationError.unknownTable("nope"), "no table named 'nope'"),
            (.quorumInvalid("R is 4, must be 1…N (3)"), "invalid quorum: R is 4, must be 1…N (3)"),
            (.tooManySiblings(count: 33, limit: 32),
             "the write would leave 33 siblings, over siblingsMax (32): read and put with the context to reconcile"),
        ])
    func coreRefusals(error: ReplicationError, message: String) async throws {
        let node = ScriptedNodeService()
        await node.script { .failed(id: $0.id, error: error) }
        let (status, text) = try await Self.refusal("/tables/nope/keys/k?r=4", node: node)
        #expect(status == .badRequest)
        #expect(text == message)
    }
}

/// Carries a result out of a `@Sendable` test closure.
actor ResultBox {
    var value: (HTTPResponse.Status, String)?
    func set(_ status: HTTPResponse.Status, _ text: String) { value = (status, text) }
}
