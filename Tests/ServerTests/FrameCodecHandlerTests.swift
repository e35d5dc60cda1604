import CairnCore
import CairnServer
import CairnWire
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

/// The NIO frame decoder and encoder agree with CairnWire's codec, pass NIO's decoder verifier, and turn bad
/// bytes into an error that closes the connection with a logged line.
@Suite("Frame codec handlers")
struct FrameCodecHandlerTests {
    static let frames = [
        WireFrame(kind: .message, payload: []),
        WireFrame(kind: .request, requestID: 7, payload: bytes("get k")),
        WireFrame(kind: .response, requestID: 7, payload: Array(repeating: 0xAB, count: 1_000)),
        WireFrame(kind: .failure, requestID: UInt64.max, payload: bytes("nope")),
        Handshake(node: "node-1").frame,
    ]

    static func buffer(_ frames: [WireFrame], limits: WireLimits = WireLimits()) throws -> ByteBuffer {
        var bytes = [UInt8]()
        for frame in frames { try WireFrameEncoder(limits: limits).encode(frame, into: &bytes) }
        return ByteBuffer(bytes: bytes)
    }

    @Test("ByteToMessageDecoderVerifier: frames decode the same in every split of the input")
    func verifier() throws {
        let pairs = try Self.frames.map { (try Self.buffer([$0]), [$0]) } + [(try Self.buffer(Self.frames), Self.frames)]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { WireFrameDecoderHandler() }
    }

    @Test("the encoder writes exactly CairnWire's bytes")
    func encoder() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(WireFrameEncoderHandler()))
        for frame in Self.frames {
            try channel.writeOutbound(frame)
            let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
            #expect(Array(written.readableBytesView) == (try WireFrameEncoder().encode(frame)))
        }
        #expect(try channel.finish().isClean)
    }

    @Test("the encoder refuses a frame over frameBytesMax")
    func encoderOversized() throws {
        let limits = WireLimits(frameBytesMax: 32)
        let channel = EmbeddedChannel(handler: MessageToByteHandler(WireFrameEncoderHandler(limits: limits)))
        #expect(throws: WireError.oversized(frameBytes: 33, frameBytesMax: 32)) {
            try channel.writeOutbound(WireFrame(kind: .message, payload: Array(repeating: 1, count: 19)))
        }
        _ = try? channel.finish()
    }

    @Test("decoded frames pass down the pipeline whole, from bytes fed one at a time")
    func embeddedOneByteAtATime() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WireFrameDecoderHandler()))
        let stream = try Self.buffer(Self.frames)
        for byte in stream.readableBytesView { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        var decoded = [WireFrame]()
        while let frame = try channel.readInbound(as: WireFrame.self) { decoded.append(frame) }
        #expect(decoded == Self.frames)
        #expect(try channel.finish().isClean)
    }

    @Test("a stream that ends inside a frame is reported truncated")
    func truncatedAtClose() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WireFrameDecoderHandler()))
        var stream = try Self.buffer([Self.frames[1]])
        stream.moveWriterIndex(to: stream.writerIndex - 2)
        try channel.writeInbound(stream)
        #expect(try channel.readInbound(as: WireFrame.self) == nil)
        #expect(throws: WireError.truncated(availableBytes: 17, neededBytes: 19)) { try channel.finish() }
    }

    @Test("an oversized length is refused from its prefix")
    func oversized() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WireFrameDecoderHandler(limits: WireLimits(frameBytesMax: 1_000))))
        #expect(throws: WireError.oversized(frameBytes: 1_000_004, frameBytesMax: 1_000)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x0F, 0x42, 0x40]))
        }
        _ = try? channel.finish()
    }
}
