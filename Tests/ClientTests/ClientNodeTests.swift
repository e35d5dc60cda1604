import CairnClient
import CairnCore
import CairnHTTP
import CairnReplication
import CairnStorage
import Foundation
import Hummingbird
import Testing

/// `CairnClient`'s table, status and metrics calls against the real router, and its failures: a refused
/// connection, a slow node, an oversized answer, a missing route.
@Suite struct ClientNodeTests {
    @Test("createTable sends only the settings given, as JSON, and decodes the table the node holds")
    func createTable() async throws {
        let node = RecordingNode()
        try await LiveServer.withAPI(node) { client, log in
            let table = try await client.createTable("orders", TableSettingsRequest(engine: "lmdb", n: 3, policy: "lww"))
            #expect([table.name, table.engine, table.policy, table.durability] == ["orders", "lmdb", "lww", "sync"])
            #expect(table.n == 3 && table.r == 2 && table.w == 2)
            let seen = try #require(await log.seen.first)
            #expect(seen.line == "PUT /tables/orders" && seen.contentType == "application/json")
            let sent = try JSONSerialization.jsonObject(with: Data(seen.body)) as? NSDictionary
            #expect(sent == ["engine": "lmdb", "n": 3, "policy": "lww"] as NSDictionary)
        }
        #expect(await node.created.map(\.name) == ["orders"])
    }

    @Test("tables lists the node's tables; a refused table body is a 400 naming the problem")
    func tables() async throws {
        let node = RecordingNode()
        await node.setTables([
            TableDescription(name: "a", engine: .memory, settings: TableSettings(replicas: 1, readQuorum: 1, writeQuorum: 1), durability: .buffered)
        ])
        try await LiveServer.withAPI(node) { client, log in
            let listed = try await client.tables()
            #expect(listed.map { "\($0.name) \($0.engine) \($0.n)\($0.r)\($0.w) \($0.policy) \($0.durability)" } == ["a memory 111 siblings buffered"])
            let error = await #expect(throws: CairnClientError.self) {
                try await client.createTable("b", TableSettingsRequest(engine: "paper"))
            }
            #expect(error?.status == 400)
            #expect(error?.description.contains("paper") == true, "\(String(describing: error))")
            #expect(await log.seen.map(\.line) == ["GET /tables", "PUT /tables/b"])
        }
    }

    @Test("status decodes the node, ring, members, hints and transfers; metrics is the Prometheus text")
    func statusAndMetrics() async throws {
        try await LiveServer.withAPI(RecordingNode()) { client, log in
            let status = try await client.status()
            #expect(status.node == "n1" && status.ring.epoch == 7 && status.ring.owners == ["n1", "n2", "n1", "n2"])
            #expect(status.members.map(\.name) == ["n1", "n2"] && status.members.map(\.zone) == ["a", nil])
            #expect(status.members.map(\.health) == ["alive", "suspect"])
            #expect(status.hintsPending == 5 && status.storageErrors == 1)
            #expect(status.transfers.first?.keysSent == 40 && status.transfers.first?.keysTotal == 100)
            let metrics = try await client.metrics()
            #expect(metrics.contains("cairn_hints_pending 5"), "\(metrics)")
            #expect(await log.seen.map(\.line) == ["GET /status", "GET /metrics"])
        }
    }

    @Test("admin calls on a server without the admin routes fail naming the route and the 404")
    func adminRouteMissing() async throws {
        try await LiveServer.with(Router()) { client, _ in
            let error = await #expect(throws: CairnClientError.self) { try await client.ring() }
            #expect(error == .routeMissing(route: "GET /admin/ring", node: client.address.description))
            #expect(error?.description.hasSuffix("has no route GET /admin/ring (404): it is not a cairn server with that API") == true)
        }
    }

    @Test("a port where nothing listens is a refused connection naming the address")
    func connectionRefused() async throws {
        let port = try await LiveServer.closedPort()
        let client = try CairnClient(address: NodeAddress(host: "127.0.0.1", port: port))
        let error = await #expect(throws: CairnClientError.self) { try await client.status() }
        #expect(error == .cannotConnect(node: "http://127.0.0.1:\(port)", reason: "connection refused"))
    }

    @Test("a node slower than requestTimeoutSeconds is a timeout naming the limit")
    func timeout() async throws {
        // The node answers only once the test opens the gate, after the client gave up: a `.timedOut` seen while
        // the gate is shut came from the client's own timer, not from an answer (no wall-clock bound, which the
        // parallel test run's busy threads made fail).
        let gate = AnswerGate()
        let router = Router()
        router.get("/status") { _, _ -> String in
            // At most 60 s: a client that never times out then gets this answer and the test fails instead of hanging.
            for _ in 0..<600 where await !gate.isOpen { try await Task.sleep(for: .milliseconds(100)) }
            return "{}"
        }
        try await LiveServer.with(router, limits: ClientLimits(requestTimeoutSeconds: 0.2)) { client, _ in
            let error = await #expect(throws: CairnClientError.self) { try await client.status() }
            #expect(await gate.isOpen == false, "the node had not answered")
            #expect(error == .timedOut(route: "GET /status", node: client.address.description, seconds: 0.2))
            #expect(error?.description.contains("requestTimeoutSeconds (0.2 s)") == true)
            await gate.open()
        }
    }

    @Test("an answer over responseBytesMax is refused naming the limit")
    func responseTooLarge() async throws {
        let router = Router()
        router.get("/metrics") { _, _ in String(repeating: "x", count: 5000) }
        try await LiveServer.with(router, limits: ClientLimits(responseBytesMax: 1000)) { client, _ in
            await #expect(throws: CairnClientError.responseTooLarge(route: "GET /metrics", bytesMax: 1000)) {
                try await client.metrics()
            }
        }
    }

    @Test("node addresses: http://HOST:PORT parses; other schemes, paths and bad ports are refused with the reason")
    func addresses() throws {
        let local = try NodeAddress(parsing: "http://127.0.0.1:8080")
        let named = try NodeAddress(parsing: "http://localhost/")
        #expect(local == NodeAddress(host: "127.0.0.1", port: 8080) && named == NodeAddress(host: "localhost", port: 80))
        for (text, reason) in [
            ("https://127.0.0.1:8080", "only http:// is supported"), ("ftp://127.0.0.1:21", "only http:// is supported"),
            ("http://127.0.0.1:8080/tables", "must have no path"), ("http://127.0.0.1:0", "port 0 is not within"),
            ("not a url", "is not a URL"),
        ] {
            let error = #expect(throws: CairnClientError.self) { try NodeAddress(parsing: text) }
            #expect(error?.description.contains(reason) == true, "\(text): \(String(describing: error))")
        }
    }
}

/// Holds a test node's answer until the test opens it.
actor AnswerGate {
    private(set) var isOpen = false

    func open() { isOpen = true }
}
