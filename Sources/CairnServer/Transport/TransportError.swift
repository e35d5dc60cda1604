import CairnCore
import CairnWire

/// Every way the transport refuses or loses a send or request; the description is one line.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No address is known for the peer.
    case unknownPeer(NodeID)
    /// The peer's send queue held `peerQueueFramesMax` frames (policy `refuseNew`).
    case queueFull(peer: NodeID, peerQueueFramesMax: Int)
    /// The request's frame was dropped from a full queue (policy `dropOldest`).
    case droppedQueueFull(peer: NodeID, peerQueueFramesMax: Int)
    /// `peerPendingRequestsMax` requests already await the peer's answers.
    case tooManyPendingRequests(peer: NodeID, peerPendingRequestsMax: Int)
    /// The frame would be over `frameBytesMax`.
    case frameTooLarge(WireError)
    /// No answer within the request's timeout.
    case timedOut(peer: NodeID, milliseconds: Int64)
    /// The connection closed after the request was written and before its answer.
    case connectionLost(peer: NodeID)
    /// The peer answered with a failure frame.
    case peerFailed(peer: NodeID, reason: String)
    /// The transport is shut down.
    case shutDown

    public var description: String {
        switch self {
        case .unknownPeer(let peer): "no address known for peer \(peer)"
        case .queueFull(let peer, let max): "send queue to \(peer) is full (peerQueueFramesMax \(max)): frame refused"
        case .droppedQueueFull(let peer, let max): "send queue to \(peer) was full (peerQueueFramesMax \(max)): request dropped"
        case .tooManyPendingRequests(let peer, let max): "\(max) requests to \(peer) await answers (peerPendingRequestsMax)"
        case .frameTooLarge(let error): "\(error)"
        case .timedOut(let peer, let milliseconds): "no answer from \(peer) within \(milliseconds) ms"
        case .connectionLost(let peer): "connection to \(peer) lost before the answer"
        case .peerFailed(let peer, let reason): "\(peer) could not answer: \(reason)"
        case .shutDown: "the transport is shut down"
        }
    }
}

/// What became of a frame handed to `PeerTransport.send`.
public enum SendOutcome: Sendable, Hashable {
    /// Queued for the peer's connection.
    case queued
    /// Queued; the queue was full, so its oldest frame was dropped (and counted).
    case queuedDroppingOldest
    /// Not queued (counted where it is a queue-full refusal).
    case refused(TransportError)
}
