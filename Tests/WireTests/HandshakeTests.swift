import CairnCore
import CairnWire
import Testing

/// A handshake names its node and version; every malformed handshake payload gets a one-line reason.
@Suite("Handshake")
struct HandshakeTests {
    @Test("a handshake round-trips through a frame and the codec")
    func roundTrip() throws {
        let handshake = Handshake(node: "node-é1")
        var decoder = WireFrameDecoder()
        decoder.feed(try WireFrameEncoder().encode(handshake.frame))
        let frame = try #require(try decoder.nextFrame())
        #expect(try Handshake(frame: frame) == handshake)
        #expect(frame.payload == [WireProtocol.version, 8] + Array("node-é1".utf8))
    }

    @Test("a longest name round-trips")
    func longestName() throws {
        let handshake = Handshake(node: NodeID(String(repeating: "n", count: NodeID.nameBytesMax)))
        #expect(try Handshake(frame: handshake.frame) == handshake)
    }

    @Test("malformed handshakes are refused with their reason")
    func malformed() {
        let cases: [(WireFrame, WireError)] = [
            (WireFrame(kind: .message, payload: [1, 1, 65]), .badHandshake("expected a handshake frame, got message")),
            (WireFrame(kind: .handshake, payload: [1]), .badHandshake("payload of 1 bytes, at least 2 expected")),
            (WireFrame(kind: .handshake, payload: [1, 0]), .badHandshake("node name of 0 bytes is not within 1…128 bytes")),
            (WireFrame(kind: .handshake, payload: [1, 200] + Array(repeating: 65, count: 200)),
             .badHandshake("node name of 200 bytes is not within 1…128 bytes")),
            (WireFrame(kind: .handshake, payload: [1, 3, 65]), .badHandshake("payload of 3 bytes, 5 expected for a 3-byte name")),
            (WireFrame(kind: .handshake, payload: [1, 1, 65, 66]), .badHandshake("payload of 4 bytes, 3 expected for a 1-byte name")),
            (WireFrame(kind: .handshake, payload: [1, 2, 0xC3, 0x28]), .badHandshake("node name is not UTF-8")),
            (WireFrame(kind: .handshake, payload: [9, 1, 65]), .unknownVersion(9)),
        ]
        for (frame, error) in cases {
            #expect(throws: error) { try Handshake(frame: frame) }
        }
    }

    @Test("the raw payload codec is the identity")
    func rawCodec() {
        let codec = RawPayloadCodec()
        #expect(codec.decode(codec.encode([1, 2, 3])) == [1, 2, 3])
    }
}
