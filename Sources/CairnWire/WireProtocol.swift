/// The constants of Cairn's node-to-node frame format (see README, "Node-to-node transport").
///
/// Every frame is `length (UInt32) ‖ version (UInt8) ‖ kind (UInt8) ‖ request id (UInt64) ‖ payload`, big-endian.
/// `length` counts the bytes after itself: the rest of the header and the payload.
public enum WireProtocol {
    /// The protocol version this build speaks; a frame of any other version is refused.
    public static let version: UInt8 = 1
    /// Bytes of the length prefix.
    public static let lengthPrefixBytes = 4
    /// Bytes of the whole header: length prefix, version, kind and request id.
    public static let headerBytes = lengthPrefixBytes + 1 + 1 + 8
    /// The smallest legal value of the length prefix: a frame with an empty payload.
    public static let lengthFieldMin = UInt32(headerBytes - lengthPrefixBytes)
}

/// The limits of the frame codec, each named in the error that enforces it.
public struct WireLimits: Sendable, Hashable {
    /// Largest frame, header included, in bytes. A peer announcing a larger one is cut off before its payload
    /// is buffered, so this also bounds the memory one connection's decoder holds.
    public var frameBytesMax: Int

    /// Default `frameBytesMax`: 8 MiB, room for a 1 MiB value (`ReplicationLimits.valueBytesMax`) with siblings.
    public static let defaultFrameBytesMax = 8 << 20
    /// The largest `frameBytesMax` accepted: what a UInt32 length prefix can describe.
    public static let frameBytesMaxLimit = Int(UInt32.max) + WireProtocol.lengthPrefixBytes

    public init(frameBytesMax: Int = WireLimits.defaultFrameBytesMax) {
        precondition(
            frameBytesMax >= WireProtocol.headerBytes && frameBytesMax <= WireLimits.frameBytesMaxLimit,
            "frameBytesMax must be within \(WireProtocol.headerBytes)…\(WireLimits.frameBytesMaxLimit) bytes")
        self.frameBytesMax = frameBytesMax
    }

    /// The largest payload a frame may carry under these limits.
    public var payloadBytesMax: Int { frameBytesMax - WireProtocol.headerBytes }
}
