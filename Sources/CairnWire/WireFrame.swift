/// One decoded frame: its kind, its request id and its opaque payload. Its version is always
/// `WireProtocol.version`: the decoder refuses every other one.
public struct WireFrame: Sendable, Hashable {
    public var kind: WireFrameKind
    /// Matches a `response` or `failure` to its `request`; 0 for frames that answer nothing.
    public var requestID: UInt64
    /// Bytes the frame carries, opaque to the codec (see `WirePayloadCodec`).
    public var payload: [UInt8]

    public init(kind: WireFrameKind, requestID: UInt64 = 0, payload: [UInt8] = []) {
        self.kind = kind
        self.requestID = requestID
        self.payload = payload
    }

    /// Bytes this frame takes on the wire, header included.
    public var encodedBytes: Int { WireProtocol.headerBytes + payload.count }
}
