/// A validated frame header. `parse` is the one place frame bytes are checked; both the pure
/// `WireFrameDecoder` and the server's NIO decoder call it on the bytes they have buffered.
public struct WireFrameHeader: Sendable, Hashable {
    public var kind: WireFrameKind
    public var requestID: UInt64
    /// Bytes of the whole frame, header included.
    public var frameBytes: Int

    public var payloadBytes: Int { frameBytes - WireProtocol.headerBytes }

    /// Reads the header at the start of `bytes`, refusing it as soon as the bytes seen prove it bad (an oversized
    /// length is refused before any of its payload arrives). Returns nil while the header is incomplete.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) -> WireFrameHeader? {
        guard bytes.count >= WireProtocol.lengthPrefixBytes else { return nil }
        var length: UInt32 = 0
        for index in 0..<WireProtocol.lengthPrefixBytes { length = length << 8 | UInt32(bytes[index]) }
        guard length >= WireProtocol.lengthFieldMin else { throw .badLength(length) }
        let frameBytes = Int(length) + WireProtocol.lengthPrefixBytes
        guard frameBytes <= limits.frameBytesMax else {
            throw .oversized(frameBytes: frameBytes, frameBytesMax: limits.frameBytesMax)
        }
        guard bytes.count > 4 else { return nil }
        guard bytes[4] == WireProtocol.version else { throw .unknownVersion(bytes[4]) }
        guard bytes.count > 5 else { return nil }
        guard let kind = WireFrameKind(rawValue: bytes[5]) else { throw .unknownKind(bytes[5]) }
        guard bytes.count >= WireProtocol.headerBytes else { return nil }
        var requestID: UInt64 = 0
        for index in 6..<WireProtocol.headerBytes { requestID = requestID << 8 | UInt64(bytes[index]) }
        return WireFrameHeader(kind: kind, requestID: requestID, frameBytes: frameBytes)
    }

    /// The header bytes of a frame of `kind` and `requestID` carrying `payloadBytes`; refuses a frame over
    /// `frameBytesMax`, so nothing this node sends is refused by a peer with the same limits.
    public static func encode(
        kind: WireFrameKind, requestID: UInt64, payloadBytes: Int, limits: WireLimits
    ) throws(WireError) -> [UInt8] {
        let frameBytes = WireProtocol.headerBytes + payloadBytes
        guard frameBytes <= limits.frameBytesMax else {
            throw .oversized(frameBytes: frameBytes, frameBytesMax: limits.frameBytesMax)
        }
        let length = UInt32(frameBytes - WireProtocol.lengthPrefixBytes)
        var header = [UInt8]()
        header.reserveCapacity(WireProtocol.headerBytes)
        for shift in stride(from: 24, through: 0, by: -8) { header.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        header.append(WireProtocol.version)
        header.append(kind.rawValue)
        for shift in stride(from: 56, through: 0, by: -8) { header.append(UInt8(truncatingIfNeeded: requestID >> UInt64(shift))) }
        return header
    }
}
