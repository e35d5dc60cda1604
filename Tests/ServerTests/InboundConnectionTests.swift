import CairnCore
import CairnServer
import CairnWire
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

/// A connection a peer opened: handshake first, then messages and requests to the callback; bad frames,
/// random bytes and a missing handshake close that connection with a logged error.
@Suite("Inbound connections")
struct InboundConnectionTests {
    /// An embedded inbound connection of node "local", as the listener builds it.
    static func connection(logs: LogRecorder, inbox: FrameInbox, settings: TransportSettings = testSettings()) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try InboundPipeline.configure(channel, local: "local", settings: settings, logger: logs.logger("local"), onFrame: inbox.append)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func send(_ frames: [WireFrame], to channel: EmbeddedChannel) throws {
        try channel.writeInbound(try FrameCodecHandlerTests.buffer(frames))
    }

    static func written(_ channel: EmbeddedChannel) throws -> [WireFrame] {
        var decoder = WireFrameDecoder()
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { decoder.feed(buffer.readableBytesView) }
        var frames = [WireFrame]()
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        return frames
    }

    @Test("the handshake is answered with ours; then messages and requests reach the callback, and answers go back")
    func handshakeThenFrames() throws {
        let logs = LogRecorder(), inbox = FrameInbox()
        let channel = try Self.connection(logs: logs, inbox: inbox)
        try Self.send([Handshake(node: "peer").frame, WireFrame(kind: .message, payload: bytes("m")),
                       WireFrame(kind: .request, requestID: 42, payload: bytes("q"))], to: channel)
        #expect(try Self.written(channel) == [Handshake(node: "local").frame])
        let frames = inbox.all
        #expect(frames.map(\.kind) == [.message, .request])
        #expect(frames.allSatisfy { $0.from == "peer" })
        #expect(frames[0].responder == nil)
        let responder = try #require(frames[1].responder)
        responder.respond(bytes("answer"))
        responder.fail("busy")
        #expect(try Self.written(channel) == [
            WireFrame(kind: .response, requestID: 42, payload: bytes("answer")),
            WireFrame(kind: .failure, requestID: 42, payload: bytes("busy")),
        ])
        #expect(channel.isActive)
        #expect(logs.all.isEmpty)
        _ = try channel.finish()
    }

    @Test("answers given during a read go out with one flush at read-complete")
    func answersCoalesced() throws {
        let logs = LogRecorder(), flushes = FlushCounter()
        let channel = EmbeddedChannel(handler: flushes)
        try InboundPipeline.configure(channel, local: "local", settings: testSettings(), logger: logs.logger("local")) { frame in
            frame.responder?.respond(frame.payload)
        }
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try Self.send([Handshake(node: "peer").frame], to: channel)
        let afterHandshake = flushes.count
        let requests = (1...3).map { WireFrame(kind: .request, requestID: UInt64($0), payload: [UInt8($0)]) }
        try Self.send(requests, to: channel)
        #expect(flushes.count == afterHandshake + 1)
        #expect(try Self.written(channel) == [Handshake(node: "local").frame] + requests.map { WireFrame(kind: .response, requestID: $0.requestID, payload: $0.payload) })
        _ = try channel.finish()
    }

    @Test("an answer over frameBytesMax goes back as a failure naming the limit")
    func oversizedAnswer() throws {
        let logs = LogRecorder(), inbox = FrameInbox()
        let channel = try Self.connection(logs: logs, inbox: inbox, settings: testSettings { $0.wire = WireLimits(frameBytesMax: 200) })
        try Self.send([Handshake(node: "peer").frame, WireFrame(kind: .request, requestID: 1)], to: channel)
        _ = try Self.written(channel)
        try #require(inbox.all.first?.responder).respond(Array(repeating: 0, count: 300))
        let answer = try #require(try Self.written(channel).first)
        #expect(answer.kind == .failure)
        #expect(String(decoding: answer.payload, as: UTF8.self) == "response not sent: frame of 314 bytes exceeds frameBytesMax (200 bytes)")
        _ = try channel.finish()
    }

    @Test("bad input closes the connection with a logged one-line error", arguments: [
        ("a message before the handshake", [0, 0, 0, 10, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0], "bad handshake: expected a handshake frame, got message"),
        ("an unknown version", [0, 0, 0, 10, 9], "unknown protocol version 9"),
        ("an unknown kind", [0, 0, 0, 10, 1, 77], "unknown frame kind 77"),
        ("a bad length", [0, 0, 0, 3], "bad frame length 3"),
        ("an oversized frame", [0x7F, 0, 0, 0], "exceeds frameBytesMax (8388608 bytes)"),
    ] as [(String, [UInt8], String)])
    func badInput(name: String, input: [UInt8], logged: String) throws {
        let logs = LogRecorder(), inbox = FrameInbox()
        let channel = try Self.connection(logs: logs, inbox: inbox)
        _ = try? channel.writeInbound(ByteBuffer(bytes: input))
        #expect(!channel.isActive, "\(name) closes the connection")
        #expect(logs.contains("closing connection from 127.0.0.1:1") && logs.contains(logged), "\(logs.all)")
        #expect(inbox.count == 0)
        _ = try? channel.finish()
    }

    @Test("a frame that only answers, after the handshake, closes the connection")
    func answerOnInbound() throws {
        let logs = LogRecorder(), inbox = FrameInbox()
        let channel = try Self.connection(logs: logs, inbox: inbox)
        try? Self.send([Handshake(node: "peer").frame, WireFrame(kind: .response, requestID: 3)], to: channel)
        #expect(!channel.isActive)
        #expect(logs.contains("closing connection from peer: a response frame after the handshake"))
        _ = try? channel.finish()
    }

    @Test("a connection that ends inside a frame is logged as truncated")
    func truncated() throws {
        let logs = LogRecorder(), inbox = FrameInbox()
        let channel = try Self.connection(logs: logs, inbox: inbox)
        try Self.send([Handshake(node: "peer").frame], to: channel)
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 20, 1, 2, 0]))
        _ = try? channel.finish()
        #expect(logs.contains("truncated frame: the stream ended after 7 of its 24 bytes"), "\(logs.all)")
        #expect(inbox.count == 0)
    }

    @Test("no handshake within handshakeTimeoutMilliseconds closes the connection")
    func handshakeTimeout() throws {
        let logs = LogRecorder(), inbox = FrameInbox()
        let channel = try Self.connection(logs: logs, inbox: inbox, settings: testSettings { $0.handshakeTimeoutMilliseconds = 300 })
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(299))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(logs.contains("no handshake within handshakeTimeoutMilliseconds (300 ms)"))
        _ = try? channel.finish()
    }

    @Test("seeded random bytes after a handshake never crash: the connection either waits or closes with a log", arguments: 0..<100)
    func randomBytes(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        let logs = LogRecorder(), inbox = FrameInbox()
        let channel = try Self.connection(logs: logs, inbox: inbox)
        try Self.send([Handshake(node: "peer").frame], to: channel)
        var garbage = (0..<random.next(below: 3_000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        if seed % 2 == 0, garbage.count > 6 {  // half start with a plausible header, to reach the payloads
            garbage.replaceSubrange(0..<6, with: [0, 0, 0, UInt8(10 + random.next(below: 100)), WireProtocol.version, 2])
        }
        var offset = 0
        while offset < garbage.count, channel.isActive {
            let chunk = 1 + random.next(below: 64)
            _ = try? channel.writeInbound(ByteBuffer(bytes: garbage[offset..<min(offset + chunk, garbage.count)]))
            offset += chunk
        }
        if channel.isActive {
            #expect(logs.all.isEmpty)
        } else {
            #expect(logs.all.count == 1 && logs.contains("closing connection from peer: "), "\(logs.all)")
        }
        _ = try? channel.finish()
    }
}

/// Counts the flushes that reach the front of a pipeline.
final class FlushCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = NIOAny
    private(set) var count = 0

    func flush(context: ChannelHandlerContext) {
        count += 1
        context.flush()
    }
}
