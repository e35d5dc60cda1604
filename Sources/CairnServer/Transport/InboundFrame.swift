import CairnCore
import CairnWire
import NIOCore

/// A message or request that a peer sent to this node, handed to the transport's callback on an event loop.
/// The callback must not block: it hops to a `ShellExecutor` for anything that touches storage.
public struct InboundFrame: Sendable {
    /// The peer, as named in its handshake.
    public let from: NodeID
    public let kind: WireFrameKind
    public let payload: [UInt8]
    /// Answers a request; nil for a one-way message.
    public let responder: FrameResponder?
}

/// Answers one request on the connection it came in on; callable from any thread, at most once.
/// An answer over `frameBytesMax` is sent as a failure naming the limit.
public struct FrameResponder: Sendable {
    public let requestID: UInt64
    let limits: WireLimits
    /// Writes a frame on the request's connection.
    let send: @Sendable (WireFrame) -> Void

    public func respond(_ payload: [UInt8]) {
        guard WireProtocol.headerBytes + payload.count <= limits.frameBytesMax else {
            let error = WireError.oversized(frameBytes: WireProtocol.headerBytes + payload.count, frameBytesMax: limits.frameBytesMax)
            return fail("response not sent: \(error)")
        }
        send(WireFrame(kind: .response, requestID: requestID, payload: payload))
    }

    /// Tells the requester this node could not answer; `reason` is cut to fit a frame.
    public func fail(_ reason: String) {
        let payload = Array(reason.utf8.prefix(limits.payloadBytesMax))
        send(WireFrame(kind: .failure, requestID: requestID, payload: payload))
    }
}

extension Optional where Wrapped == SocketAddress {
    /// `host:port` for log lines, "?" when unknown.
    var logText: String {
        guard let address = self else { return "?" }
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return "\(ip):\(port)"
    }
}
