import CairnCore
import CairnServer
import CairnWire
import NIOCore
import NIOPosix
import Testing

/// A peer that goes away and comes back gets the frames queued meanwhile; a full queue drops the oldest or
/// refuses the newest, counted; a node at the address that is not the peer we meant is refused.
@Suite("Reconnect and queue limits", .timeLimit(.minutes(1)))
struct ReconnectAndQueueTests {
    @Test("a peer that stops and restarts on its port gets the frames sent while it was away")
    func reconnect() async throws {
        try await withGroup { group in
            let a = try await TestNode.start("a", group: group)
            let b = try await TestNode.start("b", group: group)
            a.transport.setAddress(of: "b", b.address)
            a.transport.send(to: "b", payload: bytes("before"))
            #expect(try await eventually { b.inbox.count == 1 })
            await b.transport.shutdown()
            #expect(try await eventually { !a.transport.statistics(of: "b").connected }, "a sees the connection close")

            for index in 0..<10 { a.transport.send(to: "b", payload: bytes("away\(index)")) }
            #expect(try await eventually { a.transport.statistics(of: "b").connectFailures >= 2 }, "it retries while b is away")
            #expect(a.transport.statistics(of: "b").framesQueued == 10)

            let back = try await TestNode.start("b", group: group, port: b.port)
            #expect(try await eventually { back.inbox.count == 10 })
            #expect(back.inbox.all.map(\.payload) == (0..<10).map { bytes("away\($0)") })
            #expect(a.transport.statistics(of: "b").connectionsEstablished == 2)
            #expect(b.inbox.count == 1, "nothing reached the stopped node after its shutdown")
            a.transport.send(to: "b", payload: bytes("after"))
            #expect(try await eventually { back.inbox.all.last?.payload == bytes("after") })
            await a.transport.shutdown()
            await back.transport.shutdown()
        }
    }

    @Test("a full queue drops its oldest frames, counted, and sends the newest when the peer appears")
    func dropOldest() async throws {
        try await withGroup { group in
            let port = try await closedPort(group: group)
            let a = try await TestNode.start("a", group: group, settings: testSettings { $0.peerQueueFramesMax = 8 })
            a.transport.setAddress(of: "b", PeerAddress(host: "127.0.0.1", port: port))
            let outcomes = (0..<20).map { a.transport.send(to: "b", payload: [UInt8($0)]) }
            #expect(outcomes == Array(repeating: .queued, count: 8) + Array(repeating: .queuedDroppingOldest, count: 12))
            let statistics = a.transport.statistics(of: "b")
            #expect(statistics.framesQueued == 8 && statistics.framesDroppedQueueFull == 12 && statistics.framesWritten == 0)

            let b = try await TestNode.start("b", group: group, port: port)
            #expect(try await eventually { b.inbox.count == 8 })
            #expect(b.inbox.all.map(\.payload) == (12..<20).map { [UInt8($0)] })
            await a.transport.shutdown()
            await b.transport.shutdown()
        }
    }

    @Test("refuseNew refuses frames past peerQueueFramesMax, counted; a dropped request fails at once")
    func refuseNewAndDroppedRequest() async throws {
        try await withGroup { group in
            let port = try await closedPort(group: group)
            let refusing = try await TestNode.start("a", group: group, settings: testSettings {
                $0.peerQueueFramesMax = 4
                $0.queueFullPolicy = .refuseNew
            })
            refusing.transport.setAddress(of: "b", PeerAddress(host: "127.0.0.1", port: port))
            let outcomes = (0..<6).map { refusing.transport.send(to: "b", payload: [UInt8($0)]) }
            let full = SendOutcome.refused(.queueFull(peer: "b", peerQueueFramesMax: 4))
            #expect(outcomes == Array(repeating: .queued, count: 4) + [full, full])
            #expect(refusing.transport.statistics(of: "b").framesRefusedQueueFull == 2)

            let dropping = try await TestNode.start("c", group: group, settings: testSettings { $0.peerQueueFramesMax = 1 })
            dropping.transport.setAddress(of: "b", PeerAddress(host: "127.0.0.1", port: port))
            let request: EventLoopFuture<[UInt8]> = dropping.transport.request(to: "b", payload: [], timeoutMilliseconds: 10_000)
            dropping.transport.send(to: "b", payload: [1])
            await #expect(throws: TransportError.droppedQueueFull(peer: "b", peerQueueFramesMax: 1)) { try await request.get() }
            await refusing.transport.shutdown()
            await dropping.transport.shutdown()
        }
    }

    @Test("a node at the peer's address that names itself otherwise is refused and logged")
    func wrongNode() async throws {
        try await withGroup { group in
            let logs = LogRecorder()
            let a = try await TestNode.start("a", group: group, logs: logs)
            let c = try await TestNode.start("c", group: group)
            a.transport.setAddress(of: "b", c.address)
            a.transport.send(to: "b", payload: bytes("for b"))
            #expect(try await eventually { logs.contains("closing connection to b: the node there is c") })
            #expect(c.inbox.count == 0)
            #expect(a.transport.statistics(of: "b").connectionsEstablished == 0)
            await a.transport.shutdown()
            await c.transport.shutdown()
        }
    }

    @Test("garbage from a raw socket closes only that connection; the node keeps serving its peers")
    func garbageConnection() async throws {
        try await withGroup { group in
            let logs = LogRecorder()
            let a = try await TestNode.start("a", group: group)
            let b = try await TestNode.start("b", group: group, logs: logs)
            let raw = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: b.port).get()
            try await raw.writeAndFlush(ByteBuffer(bytes: [0, 0, 0, 10, 7, 7, 7, 7])).get()
            try await raw.closeFuture.get()  // b closed it
            #expect(logs.contains("unknown protocol version 7"))
            a.transport.setAddress(of: "b", b.address)
            #expect(try await a.transport.request(to: "b", payload: bytes("still there?"), timeoutMilliseconds: 10_000) == bytes("still there?"))
            await a.transport.shutdown()
            await b.transport.shutdown()
        }
    }
}
