import CairnCore
import CairnServer
import CairnWire
import NIOCore
import NIOPosix
import Testing

/// Two or more transports on 127.0.0.1 (ephemeral ports): frames both ways, multiplexed requests, timeouts,
/// reconnection after a peer comes back, and full send queues. Every transport and event loop group is shut down.
@Suite("Peer transport", .timeLimit(.minutes(1)))
struct PeerTransportTests {
    @Test("1,000 messages each way between two transports arrive, in order")
    func thousandFramesBothWays() async throws {
        try await withGroup { group in
            let a = try await TestNode.start("a", group: group), b = try await TestNode.start("b", group: group)
            a.transport.setAddress(of: "b", b.address)
            b.transport.setAddress(of: "a", a.address)
            for index in 0..<1_000 {
                #expect(a.transport.send(to: "b", payload: bytes("a\(index)")) == .queued)
                #expect(b.transport.send(to: "a", payload: bytes("b\(index)")) == .queued)
            }
            #expect(try await eventually { a.inbox.count == 1_000 && b.inbox.count == 1_000 })
            #expect(b.inbox.all.map(\.payload) == (0..<1_000).map { bytes("a\($0)") })
            #expect(a.inbox.all.map(\.payload) == (0..<1_000).map { bytes("b\($0)") })
            #expect(b.inbox.all.allSatisfy { $0.from == "a" && $0.kind == .message })
            #expect(a.transport.statistics(of: "b").framesWritten == 1_000)
            #expect(a.transport.statistics(of: "b").connectionsEstablished == 1)
            await a.transport.shutdown()
            await b.transport.shutdown()
        }
    }

    @Test("500 concurrent requests share one connection and each gets its own answer")
    func multiplexedRequests() async throws {
        try await withGroup { group in
            let a = try await TestNode.start("a", group: group)
            let b = try await TestNode.start("b", group: group) { frame in
                frame.responder?.respond(frame.payload + bytes("!"))
            }
            a.transport.setAddress(of: "b", b.address)
            let answers = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { tasks in
                for index in 0..<500 {
                    tasks.addTask {
                        (index, try await a.transport.request(to: "b", payload: bytes("q\(index)"), timeoutMilliseconds: 10_000))
                    }
                }
                return try await tasks.reduce(into: [Int: [UInt8]]()) { $0[$1.0] = $1.1 }
            }
            #expect(answers.count == 500)
            #expect(answers.allSatisfy { $0.value == bytes("q\($0.key)!") })
            #expect(a.transport.statistics(of: "b").connectionsEstablished == 1)
            #expect(a.transport.statistics(of: "b").requestsPending == 0)
            await a.transport.shutdown()
            await b.transport.shutdown()
        }
    }

    @Test("a request without an answer times out; a failure frame fails the request with its reason")
    func timeoutAndFailure() async throws {
        try await withGroup { group in
            let a = try await TestNode.start("a", group: group)
            let silent = try await TestNode.start("silent", group: group) { _ in }
            let failing = try await TestNode.start("failing", group: group) { $0.responder?.fail("no such table") }
            a.transport.setAddress(of: "silent", silent.address)
            a.transport.setAddress(of: "failing", failing.address)
            await #expect(throws: TransportError.timedOut(peer: "silent", milliseconds: 100)) {
                try await a.transport.request(to: "silent", payload: [], timeoutMilliseconds: 100)
            }
            #expect(a.transport.statistics(of: "silent").requestsTimedOut == 1)
            await #expect(throws: TransportError.peerFailed(peer: "failing", reason: "no such table")) {
                try await a.transport.request(to: "failing", payload: [], timeoutMilliseconds: 10_000)
            }
            for node in [a, silent, failing] { await node.transport.shutdown() }
        }
    }

    @Test("unknown peers, oversized payloads and a shut-down transport are refused with a clear error")
    func refusals() async throws {
        try await withGroup { group in
            let a = try await TestNode.start("a", group: group, settings: testSettings { $0.wire = WireLimits(frameBytesMax: 100) })
            #expect(a.transport.send(to: "nobody", payload: []) == .refused(.unknownPeer("nobody")))
            a.transport.setAddress(of: "b", PeerAddress(host: "127.0.0.1", port: 1))
            let oversized = TransportError.frameTooLarge(.oversized(frameBytes: 101, frameBytesMax: 100))
            #expect(a.transport.send(to: "b", payload: Array(repeating: 0, count: 87)) == .refused(oversized))
            await #expect(throws: oversized) {
                try await a.transport.request(to: "b", payload: Array(repeating: 0, count: 87), timeoutMilliseconds: 100)
            }
            #expect(oversized.description == "frame of 101 bytes exceeds frameBytesMax (100 bytes)")
            await a.transport.shutdown()
            #expect(a.transport.send(to: "b", payload: []) == .refused(.shutDown))
        }
    }

    @Test("settings out of range are refused, naming the setting")
    func badSettings() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        #expect(throws: TransportSettingsError("peerQueueFramesMax must be at least 1, not 0")) {
            try PeerTransport(local: "a", settings: testSettings { $0.peerQueueFramesMax = 0 }, group: group, logger: LogRecorder().logger("a")) { _ in }
        }
        #expect(testSettings { $0.reconnectBackoffMaxMilliseconds = 5 }.problem
            == "reconnectBackoffMaxMilliseconds (5) is below reconnectBackoffInitialMilliseconds (10)")
    }
}
