import CairnTestSupport
import Foundation
import Testing

/// A real `cairn server` (one node, a memory table of one replica) against hostile clients over raw TCP: garbage,
/// an oversized body or header, a request in single bytes, requests stalled half-sent, a flood of connections.
/// Each gets an error or a correct answer, and after each the node still serves everyone else.
@Suite("cairn server against hostile clients", .serialized)
struct HostileClientTests {
    /// The server's `idle_timeout_seconds` here: short, so a stalled connection is seen closed within the test.
    static let idleTimeoutSeconds = 8
    static let connectionsMax = 150

    /// A solo server with the short idle timeout, serving table `t`.
    static func startServer(_ directory: String) throws -> ServerProcess {
        let config = directory + "/config.json"
        try Data(#"{"idle_timeout_seconds": \#(idleTimeoutSeconds), "connections_max": \#(connectionsMax)}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        let server = try ServerProcess(name: "solo", dataDirectory: directory + "/data", arguments: ["--config", config])
        let table = try TestHTTPClient.send(
            port: server.port, "PUT", "/tables/t", body: Array(#"{"engine": "memory", "n": 1, "r": 1, "w": 1}"#.utf8))
        guard table.status == 200 else { throw TestHTTPClient.Failure(description: "table t not created: \(table.status) \(table.text)") }
        return server
    }

    /// The process is alive and a write then a read of a new key round-trip.
    static func expectServing(_ server: ServerProcess, after step: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(server.isRunning, "the node is alive after \(step)", sourceLocation: sourceLocation)
        let key = "check-\(UInt32.random(in: 0...UInt32.max))"
        let wrote = try? TestHTTPClient.send(port: server.port, "PUT", "/tables/t/keys/\(key)", body: Array(step.utf8))
        let read = try? TestHTTPClient.send(port: server.port, "GET", "/tables/t/keys/\(key)")
        #expect(wrote?.status == 204 && read?.status == 200 && read?.text == step, "the node serves after \(step)", sourceLocation: sourceLocation)
    }

    static func request(_ method: String, _ path: String, body: String = "", extraHeaders: String = "") -> [UInt8] {
        Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\(extraHeaders)\r\n\(body)".utf8)
    }

    @Test("garbage, an oversized body and an oversized header: an error or a closed connection, and the node serves on")
    func garbageAndOversized() throws {
        let directory = TemporaryDirectory("cairn-hostile-test")
        let server = try Self.startServer(directory.path)
        defer { server.stop() }

        var generator = SeededBytes(seed: 10)
        for round in 0..<3 {
            let garbage = try? RawConnection(port: server.port)
            garbage?.send(generator.next(count: 4_096 << round))
            let answer = garbage?.readToEnd()
            #expect(answer?.closed == true, "the node closes a connection that sent garbage")
            #expect(answer.map { $0.bytes.isEmpty || RawConnection.status(of: $0.bytes) == 400 } == true, "an answer to garbage is a 400")
            Self.expectServing(server, after: "garbage round \(round)")
        }

        let big = try RawConnection(port: server.port)
        big.send(Self.request("PUT", "/tables/t/keys/big", body: String(repeating: "x", count: 1_048_577)))
        let refused = big.readToEnd().bytes
        #expect(RawConnection.status(of: refused) == 400)
        #expect(String(decoding: refused, as: UTF8.self).contains(#"{"error":"#), "a JSON error")
        #expect(String(decoding: refused, as: UTF8.self).contains("valueBytesMax"), "naming the limit")
        Self.expectServing(server, after: "an oversized body")

        let header = try RawConnection(port: server.port)
        header.send(Self.request("GET", "/tables/t/keys/k", extraHeaders: "X-Big: \(String(repeating: "a", count: 200_000))\r\n"))
        let headerAnswer = header.readToEnd()
        #expect(headerAnswer.closed, "the node closes a connection whose header is over its limit")
        #expect(headerAnswer.bytes.isEmpty || RawConnection.status(of: headerAnswer.bytes) == 400)
        Self.expectServing(server, after: "an oversized header")
    }

    @Test("a request in single bytes is answered; requests stalled half-sent block no one and are closed after the idle timeout")
    func slowClients() throws {
        let directory = TemporaryDirectory("cairn-hostile-test")
        let server = try Self.startServer(directory.path)
        defer { server.stop() }

        let bytewise = try RawConnection(port: server.port)
        #expect(bytewise.sendSlowly(Self.request("PUT", "/tables/t/keys/bytewise", body: "hello"), delayMicroseconds: 2_000))
        #expect(RawConnection.status(of: bytewise.readToEnd().bytes) == 204, "a write sent one byte at a time")
        let readBack = try RawConnection(port: server.port)
        #expect(readBack.sendSlowly(Self.request("GET", "/tables/t/keys/bytewise"), delayMicroseconds: 2_000))
        let read = readBack.readToEnd().bytes
        #expect(RawConnection.status(of: read) == 200 && String(decoding: read, as: UTF8.self).hasSuffix("\r\n\r\nhello"))
        Self.expectServing(server, after: "requests in single bytes")

        let halfBody = try RawConnection(port: server.port)
        halfBody.send(Array("PUT /tables/t/keys/stalled HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc".utf8))
        let halfHead = try RawConnection(port: server.port)
        halfHead.send(Array("GET /tables/t/keys/bytewise HTTP/1.1\r\nHo".utf8))
        let stalledAt = Date()
        for index in 0..<10 {
            let started = Date()
            let wrote = try TestHTTPClient.send(port: server.port, "PUT", "/tables/t/keys/other-\(index)", body: Array("v\(index)".utf8))
            let read = try TestHTTPClient.send(port: server.port, "GET", "/tables/t/keys/other-\(index)")
            #expect(wrote.status == 204 && read.text == "v\(index)", "others are served while two requests stall")
            #expect(Date().timeIntervalSince(started) < Double(Self.idleTimeoutSeconds) / 2, "and not after the stalled ones (idle timeout \(Self.idleTimeoutSeconds) s)")
        }
        for stalled in [halfBody, halfHead] {
            let answer = stalled.readToEnd()
            let waited = Date().timeIntervalSince(stalledAt)
            #expect(answer.closed, "a stalled request's connection is closed")
            #expect(waited >= Double(Self.idleTimeoutSeconds) - 0.5 && waited < Double(Self.idleTimeoutSeconds) + 10, "after the idle timeout (\(waited) s)")
        }
        #expect((try TestHTTPClient.send(port: server.port, "GET", "/tables/t/keys/stalled")).status == 404, "the stalled write wrote nothing")
        Self.expectServing(server, after: "two stalled requests")
    }

    @Test("a flood of connections within connections_max: every one is answered, and the node serves on")
    func connectionFlood() throws {
        let directory = TemporaryDirectory("cairn-hostile-test")
        let server = try Self.startServer(directory.path)
        defer { server.stop() }
        #expect(try TestHTTPClient.send(port: server.port, "PUT", "/tables/t/keys/flood", body: Array("here".utf8)).status == 204)
        let count = Self.connectionsMax - 20
        let connections = (0..<count).compactMap { _ in try? RawConnection(port: server.port) }
        #expect(connections.count == count, "every connection is accepted")
        for connection in connections { connection.send(Self.request("GET", "/tables/t/keys/flood")) }
        let answered = connections.filter {
            let bytes = $0.readToEnd().bytes
            return RawConnection.status(of: bytes) == 200 && String(decoding: bytes, as: UTF8.self).hasSuffix("here")
        }
        #expect(answered.count == count, "\(answered.count) of \(count) connections answered")
        Self.expectServing(server, after: "a flood of \(count) connections")
    }

    @Test("past connections_max a newcomer waits, not refused, and is answered once a connection closes")
    func connectionsOverTheLimit() throws {
        let directory = TemporaryDirectory("cairn-hostile-test")
        let server = try Self.startServer(directory.path)
        defer { server.stop() }
        #expect(try TestHTTPClient.send(port: server.port, "PUT", "/tables/t/keys/limit", body: Array("kept".utf8)).status == 204)
        var open = try (0..<Self.connectionsMax).map { _ in try RawConnection(port: server.port) }
        usleep(200_000)
        let newcomer = try RawConnection(port: server.port)
        #expect(newcomer.send(Self.request("GET", "/tables/t/keys/limit")), "the kernel queues the newcomer")
        newcomer.setReadTimeout(seconds: 1)
        #expect(newcomer.readToEnd().bytes.isEmpty, "no answer while \(Self.connectionsMax) connections are open")
        open.removeLast(5)
        newcomer.setReadTimeout(seconds: 10)
        let answer = newcomer.readToEnd().bytes
        #expect(RawConnection.status(of: answer) == 200 && String(decoding: answer, as: UTF8.self).hasSuffix("kept"))
        open.removeAll()
        Self.expectServing(server, after: "\(Self.connectionsMax) connections held open")
    }
}

/// Reproducible random bytes (SplitMix64) for the garbage a test sends.
struct SeededBytes {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(count: Int) -> [UInt8] {
        (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: mixed ^ (mixed >> 31))
        }
    }
}
