/// What a frame is for. The raw value is the kind byte on the wire; any other byte is refused.
public enum WireFrameKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The first frame each side sends on a connection: the sender's node and protocol version (`Handshake`).
    case handshake = 1
    /// A one-way message; its request id means nothing (0 by convention).
    case message = 2
    /// A request; the peer answers with a `response` or `failure` frame carrying the same request id.
    case request = 3
    /// The answer to the request with the same id.
    case response = 4
    /// The peer could not answer the request with the same id; the payload is a UTF-8 reason.
    case failure = 5

    public var description: String {
        switch self {
        case .handshake: "handshake"
        case .message: "message"
        case .request: "request"
        case .response: "response"
        case .failure: "failure"
        }
    }
}
