import CairnWire
import NIOCore

/// NIO's side of CairnWire's decoder: checks the buffered bytes with `WireFrameHeader.parse` and emits whole
/// frames. A bad frame throws the `WireError` (the connection's handler logs it and closes the connection); a
/// stream that ends inside a frame throws `truncated`. It buffers at most one frame (`frameBytesMax`).
public struct WireFrameDecoderHandler: ByteToMessageDecoder {
    public typealias InboundOut = WireFrame
    public let limits: WireLimits

    public init(limits: WireLimits = WireLimits()) {
        self.limits = limits
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.readFrame(from: &buffer, limits: limits) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let prefix = buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, WireProtocol.lengthPrefixBytes)) ?? []
            throw WireFrameDecoder.truncation(bufferedBytes: buffer.readableBytes, headerPrefix: prefix)
        }
        return .needMoreData
    }

    /// The first whole frame in `buffer`, consumed; nil (nothing consumed) while it is incomplete.
    static func readFrame(from buffer: inout ByteBuffer, limits: WireLimits) throws -> WireFrame? {
        let parsed = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(WireError) in
                try WireFrameHeader.parse(UnsafeRawBufferPointer(rebasing: bytes.prefix(WireProtocol.headerBytes)), limits: limits)
            }
        }
        guard let header = try parsed.get(), buffer.readableBytes >= header.frameBytes else { return nil }
        buffer.moveReaderIndex(forwardBy: WireProtocol.headerBytes)
        let payload = buffer.readBytes(length: header.payloadBytes) ?? []
        return WireFrame(kind: header.kind, requestID: header.requestID, payload: payload)
    }
}

/// NIO's side of CairnWire's encoder: writes a frame's header and payload; a frame over `frameBytesMax` fails
/// its write with `WireError.oversized`.
public struct WireFrameEncoderHandler: MessageToByteEncoder {
    public typealias OutboundIn = WireFrame
    public let limits: WireLimits

    public init(limits: WireLimits = WireLimits()) {
        self.limits = limits
    }

    public func encode(data frame: WireFrame, out: inout ByteBuffer) throws {
        let header = try WireFrameHeader.encode(
            kind: frame.kind, requestID: frame.requestID, payloadBytes: frame.payload.count, limits: limits)
        out.reserveCapacity(minimumWritableBytes: header.count + frame.payload.count)
        out.writeBytes(header)
        out.writeBytes(frame.payload)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds the frame decoder and encoder at the front of a connection's pipeline.
    func addWireFrameCodec(limits: WireLimits) throws {
        try addHandler(ByteToMessageHandler(WireFrameDecoderHandler(limits: limits)))
        try addHandler(MessageToByteHandler(WireFrameEncoderHandler(limits: limits)))
    }
}
