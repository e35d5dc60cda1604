/// Turns frames into bytes. Stateless; refuses a frame over `frameBytesMax` with `WireError.oversized`.
public struct WireFrameEncoder: Sendable {
    public let limits: WireLimits

    public init(limits: WireLimits = WireLimits()) {
        self.limits = limits
    }

    /// Appends `frame`'s bytes to `bytes`.
    public func encode(_ frame: WireFrame, into bytes: inout [UInt8]) throws(WireError) {
        let header = try WireFrameHeader.encode(
            kind: frame.kind, requestID: frame.requestID, payloadBytes: frame.payload.count, limits: limits)
        bytes.reserveCapacity(bytes.count + header.count + frame.payload.count)
        bytes.append(contentsOf: header)
        bytes.append(contentsOf: frame.payload)
    }

    /// `frame`'s bytes.
    public func encode(_ frame: WireFrame) throws(WireError) -> [UInt8] {
        var bytes = [UInt8]()
        try encode(frame, into: &bytes)
        return bytes
    }
}
