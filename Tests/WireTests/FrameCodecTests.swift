import CairnCore
import CairnWire
import Testing

/// Frames survive encode → decode whole and in any split, and every malformed byte stream gets its own error.
@Suite("Frame codec")
struct FrameCodecTests {
    let encoder = WireFrameEncoder()

    @Test("every kind round-trips with its request id and payload", arguments: WireFrameKind.allCases)
    func roundTrip(kind: WireFrameKind) throws {
        let frame = WireFrame(kind: kind, requestID: 0x0102_0304_0506_0708, payload: Array("hello".utf8))
        var decoder = WireFrameDecoder()
        decoder.feed(try encoder.encode(frame))
        #expect(try decoder.nextFrame() == frame)
        #expect(try decoder.nextFrame() == nil)
        #expect(decoder.bufferedBytes == 0)
        try decoder.finish()
    }

    @Test("the header layout is length, version, kind, request id, big-endian")
    func layout() throws {
        let bytes = try encoder.encode(WireFrame(kind: .request, requestID: 258, payload: [9, 8]))
        #expect(bytes == [0, 0, 0, 12, WireProtocol.version, 3, 0, 0, 0, 0, 0, 0, 1, 2, 9, 8])
    }

    @Test("many frames fed one byte at a time, or all at once, decode in order")
    func splits() throws {
        var random = SplitMix64(seed: 1)
        let frames = (0..<50).map { index in
            WireFrame(
                kind: WireFrameKind.allCases[index % WireFrameKind.allCases.count], requestID: UInt64(index),
                payload: (0..<random.next(below: 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        var stream = [UInt8]()
        for frame in frames { try encoder.encode(frame, into: &stream) }
        for chunk in [1, 7, 100, stream.count] {
            var decoder = WireFrameDecoder()
            var decoded = [WireFrame]()
            var offset = 0
            while offset < stream.count {
                decoder.feed(stream[offset..<min(offset + chunk, stream.count)])
                offset += chunk
                while let frame = try decoder.nextFrame() { decoded.append(frame) }
            }
            #expect(decoded == frames, "chunks of \(chunk) bytes")
            try decoder.finish()
        }
    }

    @Test("an empty payload and a payload of exactly frameBytesMax round-trip")
    func edges() throws {
        let limits = WireLimits(frameBytesMax: 64)
        let largest = WireFrame(kind: .message, payload: Array(repeating: 7, count: limits.payloadBytesMax))
        var decoder = WireFrameDecoder(limits: limits)
        decoder.feed(try WireFrameEncoder(limits: limits).encode(largest))
        decoder.feed(try WireFrameEncoder(limits: limits).encode(WireFrame(kind: .message)))
        #expect(try decoder.nextFrame() == largest)
        #expect(try decoder.nextFrame() == WireFrame(kind: .message))
    }

    @Test("a stream that ends inside a frame is truncated, naming the bytes it had and needed")
    func truncated() throws {
        let bytes = try encoder.encode(WireFrame(kind: .message, payload: [1, 2, 3]))
        var decoder = WireFrameDecoder()
        decoder.feed(bytes.dropLast())
        #expect(try decoder.nextFrame() == nil)
        #expect(throws: WireError.truncated(availableBytes: 16, neededBytes: 17)) { try decoder.finish() }
        var cutPrefix = WireFrameDecoder()
        cutPrefix.feed(bytes.prefix(2))
        #expect(throws: WireError.truncated(availableBytes: 2, neededBytes: 0)) { try cutPrefix.finish() }
        #expect(WireError.truncated(availableBytes: 16, neededBytes: 17).description.contains("16 of its 17 bytes"))
    }

    @Test("an oversized length is refused from its prefix alone, before the payload arrives")
    func oversized() throws {
        let limits = WireLimits(frameBytesMax: 100)
        var decoder = WireFrameDecoder(limits: limits)
        decoder.feed([0, 0, 0, 97])  // 101 bytes in all
        #expect(throws: WireError.oversized(frameBytes: 101, frameBytesMax: 100)) { try decoder.nextFrame() }
        #expect(throws: WireError.oversized(frameBytes: 101, frameBytesMax: 100)) { try decoder.nextFrame() }
        let error = WireError.oversized(frameBytes: 101, frameBytesMax: 100)
        #expect(error.description == "frame of 101 bytes exceeds frameBytesMax (100 bytes)")
    }

    @Test("the encoder refuses a frame over frameBytesMax")
    func encoderRefusesOversized() {
        let encoder = WireFrameEncoder(limits: WireLimits(frameBytesMax: 20))
        #expect(throws: WireError.oversized(frameBytes: 21, frameBytesMax: 20)) {
            try encoder.encode(WireFrame(kind: .message, payload: Array(repeating: 0, count: 7)))
        }
    }

    @Test("a length shorter than a header is a bad length")
    func badLength() {
        var decoder = WireFrameDecoder()
        decoder.feed([0, 0, 0, 9, 1, 2, 0, 0, 0, 0, 0, 0, 0])
        #expect(throws: WireError.badLength(9)) { try decoder.nextFrame() }
    }

    @Test("an unknown version or kind is refused as soon as its byte arrives")
    func unknownVersionAndKind() {
        var version = WireFrameDecoder()
        version.feed([0, 0, 0, 10, 2])
        #expect(throws: WireError.unknownVersion(2)) { try version.nextFrame() }
        var kind = WireFrameDecoder()
        kind.feed([0, 0, 0, 10, WireProtocol.version, 0])
        #expect(throws: WireError.unknownKind(0)) { try kind.nextFrame() }
        var kindHigh = WireFrameDecoder()
        kindHigh.feed([0, 0, 0, 10, WireProtocol.version, 6])
        #expect(throws: WireError.unknownKind(6)) { try kindHigh.nextFrame() }
    }

    @Test("seeded random bytes never crash the decoder: each stream ends in frames, a wait, or one error", arguments: 0..<200)
    func randomBytes(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        var decoder = WireFrameDecoder(limits: WireLimits(frameBytesMax: 4096))
        var bytes = (0..<random.next(below: 2000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        if seed % 2 == 0, bytes.count > 6 {  // half the streams start with a plausible header, to reach payloads
            bytes.replaceSubrange(0..<6, with: [0, 0, 0, UInt8(random.next(below: 200) + 10), WireProtocol.version, 2])
        }
        decoder.feed(bytes)
        var frames = 0
        var failed: WireError?
        do {
            while try decoder.nextFrame() != nil { frames += 1 }
        } catch {
            failed = error
        }
        if let failed {
            #expect(throws: failed) { try decoder.nextFrame() }  // the stream stays failed
        } else {
            #expect(decoder.bufferedBytes < 4096)
        }
        #expect(frames * WireProtocol.headerBytes <= bytes.count)
    }
}
