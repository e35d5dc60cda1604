import CairnHTTP
import CairnReplication
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /metrics`: request counters and latency histograms per table and operation, and the node's gauges.
@Suite struct MetricsTests {
    static func scrape(_ client: any TestClientProtocol) async throws -> String {
        let response = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        return String(buffer: response.body)
    }

    @Test("requests are counted per table, operation and status, and timed per table and operation")
    func countsRequests() async throws {
        let node = ScriptedNodeService()
        try await Fixture.withAPI(node) { client in
            _ = try await client.executeRequest(uri: "/tables/cart/keys/k", method: .put, headers: [:], body: ByteBuffer(string: "v"))
            _ = try await client.executeRequest(uri: "/tables/cart/keys/k", method: .put, headers: [:], body: ByteBuffer(string: "v"))
            _ = try await client.executeRequest(uri: "/tables/cart/keys/k", method: .get, headers: [:], body: nil)
            _ = try await client.executeRequest(uri: "/tables/cart/keys/k?r=9", method: .get, headers: [:], body: nil)
            let text = try await Self.scrape(client)
            #expect(text.contains(#"cairn_http_requests_total{table="cart",operation="put",status="204"} 2"#), "\(text)")
            #expect(text.contains(#"cairn_http_requests_total{table="cart",operation="get",status="404"} 1"#))
            #expect(text.contains(#"cairn_http_requests_total{table="_unknown",operation="get",status="400"} 1"#), "refused before the node saw the table")
            #expect(text.contains(#"cairn_http_request_duration_seconds_count{table="cart",operation="put"} 2"#))
            #expect(text.contains(#"cairn_http_request_duration_seconds_count{table="cart",operation="get"} 1"#))
        }
    }

    @Test("a table the node does not have is counted as _unknown, not under its name")
    func unknownTableLabel() async throws {
        let node = ScriptedNodeService()
        await node.script { .failed(id: $0.id, error: .unknownTable("made-up")) }
        try await Fixture.withAPI(node) { client in
            _ = try await client.executeRequest(uri: "/tables/made-up/keys/k", method: .get, headers: [:], body: nil)
            let text = try await Self.scrape(client)
            #expect(text.contains(#"cairn_http_requests_total{table="_unknown",operation="get",status="400"} 1"#), "\(text)")
            #expect(!text.contains("made-up"))
        }
    }

    @Test("a request refused before the node saw its table is counted as _unknown; one the node answered is not")
    func refusedBeforeTheNode() async throws {
        try await Fixture.withAPI { client in
            _ = try await client.executeRequest(uri: "/tables/random-1/keys/k?r=x", method: .get, headers: [:], body: nil)
            _ = try await client.executeRequest(uri: "/tables/real/keys/k", method: .get, headers: [:], body: nil)
            let text = try await Self.scrape(client)
            #expect(text.contains(#"cairn_http_requests_total{table="_unknown",operation="get",status="400"} 1"#), "\(text)")
            #expect(text.contains(#"cairn_http_requests_total{table="real",operation="get",status="404"} 1"#))
            #expect(!text.contains("random-1"))
        }
    }

    @Test("hints pending, transfer progress and storage errors come from the node's status")
    func nodeGauges() async throws {
        try await Fixture.withAPI { client in
            let text = try await Self.scrape(client)
            for line in ["cairn_hints_pending 17", "cairn_transfers_active 1", "cairn_transfer_keys_sent 40", "cairn_storage_errors 3"] {
                #expect(text.contains(line), "\(line) in \(text)")
            }
        }
    }
}
