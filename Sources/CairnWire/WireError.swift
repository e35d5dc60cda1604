/// Every way the frame codec refuses bytes or a frame. The description is one line naming the limit or problem.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stream ended inside a frame: `availableBytes` of a frame that needed `neededBytes` (0 if its length
    /// prefix itself was cut).
    case truncated(availableBytes: Int, neededBytes: Int)
    /// A frame of `frameBytes` (header included) is over `frameBytesMax`.
    case oversized(frameBytes: Int, frameBytesMax: Int)
    /// The version byte is not one this build speaks.
    case unknownVersion(UInt8)
    /// The kind byte names no `WireFrameKind`.
    case unknownKind(UInt8)
    /// The length prefix is smaller than a header (`WireProtocol.lengthFieldMin`).
    case badLength(UInt32)
    /// A handshake payload that does not decode.
    case badHandshake(String)

    public var description: String {
        switch self {
        case .truncated(let available, let needed):
            needed == 0
                ? "truncated frame: the stream ended after \(available) bytes of a \(WireProtocol.lengthPrefixBytes)-byte length prefix"
                : "truncated frame: the stream ended after \(available) of its \(needed) bytes"
        case .oversized(let bytes, let max): "frame of \(bytes) bytes exceeds frameBytesMax (\(max) bytes)"
        case .unknownVersion(let version):
            "unknown protocol version \(version) (this node speaks version \(WireProtocol.version))"
        case .unknownKind(let kind): "unknown frame kind \(kind)"
        case .badLength(let length):
            "bad frame length \(length): a frame's length field is at least \(WireProtocol.lengthFieldMin)"
        case .badHandshake(let reason): "bad handshake: \(reason)"
        }
    }
}
