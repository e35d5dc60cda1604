import CairnCore
import CairnServer
import CairnWire
import NIOCore
import NIOPosix
import Testing

/// Writes fixed bytes to each connection as soon as it opens: a peer that speaks garbage or breaks the protocol.
final class ScriptedPeer: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(ByteBuffer(bytes: bytes)), promise: nil)
        context.fireChannelActive()
    }
}

/// What comes back on an outbound connection is checked too: garbage, a frame of the wrong direction or a bad
/// handshake closes that connection with a logged error, and the link connects again for the next frames.
@Suite("Outbound bad input", .timeLimit(.minutes(1)))
struct OutboundBadInputTests {
    static func encoded(_ frames: [WireFrame]) throws -> [UInt8] {
        var bytes = [UInt8]()
        for frame in frames { try WireFrameEncoder().encode(frame, into: &bytes) }
        return bytes
    }

    @Test("a peer that answers with bad bytes is cut off and logged; the next frame connects again", arguments: [
        ("garbage", [0, 0, 0, 10, 42], "unknown protocol version 42"),
        ("a request on an outbound connection", try encoded([Handshake(node: "b").frame, WireFrame(kind: .request, requestID: 1)]),
         "a request frame on an outbound connection (only answers come back)"),
        ("a handshake with a bad name", try encoded([WireFrame(kind: .handshake, payload: [1, 0])]),
         "bad handshake: node name of 0 bytes is not within 1…128 bytes"),
    ] as [(String, [UInt8], String)])
    func badAnswers(name: String, reply: [UInt8], logged: String) async throws {
        try await withGroup { group in
            let logs = LogRecorder()
            let peer = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ScriptedPeer(bytes: reply)) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let a = try await TestNode.start("a", group: group, logs: logs)
            a.transport.setAddress(of: "b", PeerAddress(host: "127.0.0.1", port: try #require(peer.localAddress?.port)))
            a.transport.send(to: "b", payload: [1])
            #expect(try await eventually { logs.contains("closing connection to b: \(logged)") }, "\(name): \(logs.all)")
            #expect(try await eventually { !a.transport.statistics(of: "b").connected })
            a.transport.send(to: "b", payload: [2])
            #expect(try await eventually { a.transport.statistics(of: "b").connectAttempts >= 2 }, "\(name): it connects again")
            await a.transport.shutdown()
            try await peer.close()
        }
    }
}
