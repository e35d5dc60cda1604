import CairnCore
import CairnServer
import CairnWire
import NIOCore
import NIOPosix
import Testing

/// The limits and timeouts around connections: inbound connections past the bound, a peer that never
/// handshakes, a connection lost under a request, and requests past the pending bound.
@Suite("Connection limits", .timeLimit(.minutes(1)))
struct ConnectionLimitTests {
    @Test("an inbound connection past inboundConnectionsMax is closed and logged; the first keeps working")
    func inboundConnectionsMax() async throws {
        try await withGroup { group in
            let logs = LogRecorder()
            let b = try await TestNode.start("b", group: group, settings: testSettings { $0.inboundConnectionsMax = 1 }, logs: logs)
            let a = try await TestNode.start("a", group: group)
            a.transport.setAddress(of: "b", b.address)
            #expect(try await a.transport.request(to: "b", payload: [1], timeoutMilliseconds: 10_000) == [1])
            let extra = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: b.port).get()
            try await extra.closeFuture.get()  // b closed it at once
            #expect(logs.contains("inboundConnectionsMax (1) connections are open"), "\(logs.all)")
            #expect(try await a.transport.request(to: "b", payload: [2], timeoutMilliseconds: 10_000) == [2])
            await a.transport.shutdown()
            await b.transport.shutdown()
        }
    }

    @Test("a peer that accepts but never handshakes is closed after handshakeTimeoutMilliseconds, and retried")
    func silentPeer() async throws {
        try await withGroup { group in
            let logs = LogRecorder()
            let silent = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
            let a = try await TestNode.start("a", group: group, settings: testSettings { $0.handshakeTimeoutMilliseconds = 100 }, logs: logs)
            a.transport.setAddress(of: "b", PeerAddress(host: "127.0.0.1", port: try #require(silent.localAddress?.port)))
            a.transport.send(to: "b", payload: [1])
            #expect(try await eventually { a.transport.statistics(of: "b").connectAttempts >= 2 }, "it tries again")
            #expect(logs.contains("closing connection to b: no handshake within handshakeTimeoutMilliseconds (100 ms)"))
            let statistics = a.transport.statistics(of: "b")
            #expect(statistics.framesQueued == 1 && statistics.framesWritten == 0 && statistics.connectionsEstablished == 0)
            await a.transport.shutdown()
            try await silent.close()
        }
    }

    @Test("a request written on a connection that then closes fails with connectionLost")
    func connectionLost() async throws {
        try await withGroup { group in
            let b = try await TestNode.start("b", group: group) { _ in }
            let a = try await TestNode.start("a", group: group)
            a.transport.setAddress(of: "b", b.address)
            let request: EventLoopFuture<[UInt8]> = a.transport.request(to: "b", payload: [1], timeoutMilliseconds: 10_000)
            #expect(try await eventually { a.transport.statistics(of: "b").framesWritten == 1 })
            await b.transport.shutdown()
            await #expect(throws: TransportError.connectionLost(peer: "b")) { try await request.get() }
            #expect(a.transport.statistics(of: "b").requestsLost == 1)
            await a.transport.shutdown()
        }
    }

    @Test("requests past peerPendingRequestsMax are refused; shutdown fails the pending ones")
    func pendingRequestsMax() async throws {
        try await withGroup { group in
            let b = try await TestNode.start("b", group: group) { _ in }
            let a = try await TestNode.start("a", group: group, settings: testSettings { $0.peerPendingRequestsMax = 2 })
            a.transport.setAddress(of: "b", b.address)
            let first: EventLoopFuture<[UInt8]> = a.transport.request(to: "b", payload: [], timeoutMilliseconds: 10_000)
            let second: EventLoopFuture<[UInt8]> = a.transport.request(to: "b", payload: [], timeoutMilliseconds: 10_000)
            await #expect(throws: TransportError.tooManyPendingRequests(peer: "b", peerPendingRequestsMax: 2)) {
                try await a.transport.request(to: "b", payload: [], timeoutMilliseconds: 10_000)
            }
            await a.transport.shutdown()
            for request in [first, second] {
                await #expect(throws: TransportError.shutDown) { try await request.get() }
            }
            await b.transport.shutdown()
        }
    }
}
