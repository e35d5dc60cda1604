import CairnHTTP
import Hummingbird
import HummingbirdTesting
import Testing

/// The API on a real socket (127.0.0.1, an ephemeral port), with the server configuration `cairn` would use.
@Suite struct LiveServerTests {
    static func withLiveAPI(
        _ node: ScriptedNodeService, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let app = Application(
            router: CairnHTTPAPI.router(service: node, metrics: HTTPMetrics()),
            server: .http1(configuration: CairnHTTPAPI.serverConfiguration()),
            configuration: CairnHTTPAPI.applicationConfiguration(host: "127.0.0.1", port: 0, settings: HTTPServerSettings()))
        try await app.test(.live, test)
    }

    @Test("an oversized value gets a 400 naming valueBytesMax, and the same connection then serves a good request")
    func oversizedBodyKeepsServing() async throws {
        let node = ScriptedNodeService()
        try await Self.withLiveAPI(node) { client in
            let big = ByteBuffer(repeating: 1, count: HTTPLimits.valueBytesMax + 1)
            let refused = try await client.executeRequest(uri: "/tables/t/keys/k", method: .put, headers: [:], body: big)
            #expect(refused.status == .badRequest)
            #expect(try Fixture.errorMessage(refused.body).contains("exceeds valueBytesMax"))
            let next = try await client.executeRequest(uri: "/tables/t/keys/k", method: .put, headers: [:], body: ByteBuffer(string: "ok"))
            #expect(next.status == .noContent)
        }
        #expect(await node.requests.map(\.operation) == [.put(value: Array("ok".utf8), context: nil)])
    }

    @Test("a context header of the largest size the limits allow is parsed and refused as a context, not by the server")
    func largestContextHeaderReachesTheAPI() async throws {
        let header = String(repeating: "A", count: HTTPLimits.contextHeaderBytesMax)
        try await Self.withLiveAPI(ScriptedNodeService()) { client in
            let response = try await client.executeRequest(
                uri: "/tables/t/keys/k", method: .delete, headers: [Fixture.contextName: header], body: nil)
            #expect(response.status == .badRequest)
            #expect(try Fixture.errorMessage(response.body).hasPrefix("malformed X-Cairn-Context: corrupt replica data"))
        }
    }
}
