/// An incremental frame decoder over bytes as they arrive: `feed` bytes in any split, then call `nextFrame()`
/// until it returns nil. Holds at most one frame's bytes beyond what was fed (bounded by `frameBytesMax`, checked
/// on the length prefix). After an error the stream is unusable: the caller closes the connection.
public struct WireFrameDecoder: Sendable {
    public let limits: WireLimits
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: WireError?

    public init(limits: WireLimits = WireLimits()) {
        self.limits = limits
    }

    /// Bytes fed but not yet returned as frames.
    public var bufferedBytes: Int { buffer.count - readIndex }

    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame, nil if more bytes are needed, or the error that makes the stream unusable
    /// (thrown again on every later call).
    public mutating func nextFrame() throws(WireError) -> WireFrame? {
        if let failure { throw failure }
        do throws(WireError) {
            let start = readIndex
            let parsed = buffer.withUnsafeBytes { bytes in
                Result { () throws(WireError) in
                    try WireFrameHeader.parse(UnsafeRawBufferPointer(rebasing: bytes[start...]), limits: limits)
                }
            }
            let header = try parsed.get()
            guard let header, bufferedBytes >= header.frameBytes else { return nil }
            let payloadStart = readIndex + WireProtocol.headerBytes
            let frame = WireFrame(
                kind: header.kind, requestID: header.requestID,
                payload: Array(buffer[payloadStart..<readIndex + header.frameBytes]))
            readIndex += header.frameBytes
            return frame
        } catch {
            failure = error
            throw error
        }
    }

    /// The stream ended: throws `truncated` if bytes of an unfinished frame are left.
    public func finish() throws(WireError) {
        if let failure { throw failure }
        guard bufferedBytes > 0 else { return }
        throw WireFrameDecoder.truncation(bufferedBytes: bufferedBytes, headerPrefix: Array(buffer[readIndex...].prefix(WireProtocol.lengthPrefixBytes)))
    }

    /// The `truncated` error for a stream that ended with `bufferedBytes` of a frame whose first bytes are `headerPrefix`.
    public static func truncation(bufferedBytes: Int, headerPrefix: [UInt8]) -> WireError {
        guard headerPrefix.count >= WireProtocol.lengthPrefixBytes else {
            return .truncated(availableBytes: bufferedBytes, neededBytes: 0)
        }
        let length = headerPrefix.prefix(WireProtocol.lengthPrefixBytes).reduce(0) { $0 << 8 | Int($1) }
        return .truncated(availableBytes: bufferedBytes, neededBytes: length + WireProtocol.lengthPrefixBytes)
    }
}
