import CairnWire

/// What a full per-peer send queue does with one more frame. Either way the frame lost is counted; the
/// replication core tolerates lost messages (it retries through timeouts, hints and read repair).
public enum QueueFullPolicy: String, Sendable, Hashable {
    /// Drop the oldest queued frame (a queued request fails with `TransportError.droppedQueueFull`).
    case dropOldest
    /// Refuse the new frame with `TransportError.queueFull`.
    case refuseNew
}

/// The transport's limits and timeouts, each named with its unit last and checked by `problem`.
public struct TransportSettings: Sendable, Hashable {
    /// Frame limits (`frameBytesMax`, default 8 MiB).
    public var wire = WireLimits()
    /// Frames queued per peer and not yet handed to its socket (while connecting, or while the socket is
    /// not writable). Default 4,096.
    public var peerQueueFramesMax = 4_096
    public var queueFullPolicy = QueueFullPolicy.dropOldest
    /// Requests awaiting an answer per peer; one more is refused with `tooManyPendingRequests`. Default 10,000.
    public var peerPendingRequestsMax = 10_000
    /// Inbound connections held at once; one more is closed at once with a logged error. Default 1,024.
    public var inboundConnectionsMax = 1_024
    /// How long a TCP connect may take. Default 1,000 ms.
    public var connectTimeoutMilliseconds: Int64 = 1_000
    /// How long either side waits for the other's handshake before closing. Default 2,000 ms.
    public var handshakeTimeoutMilliseconds: Int64 = 2_000
    /// The first wait before reconnecting to a peer; doubled on each failure up to the max. Default 50 ms.
    public var reconnectBackoffInitialMilliseconds: Int64 = 50
    /// The longest wait between reconnects. Default 2,000 ms.
    public var reconnectBackoffMaxMilliseconds: Int64 = 2_000
    /// Bytes in a socket's outbound buffer above which it stops taking frames from the queue (backpressure).
    /// Default 1 MiB; it takes them again below half of it.
    public var writeBufferHighWaterMarkBytes = 1 << 20

    public init() {}

    /// The first setting out of range, as one line; nil when all are usable.
    public var problem: String? {
        if peerQueueFramesMax < 1 { return "peerQueueFramesMax must be at least 1, not \(peerQueueFramesMax)" }
        if peerPendingRequestsMax < 1 { return "peerPendingRequestsMax must be at least 1, not \(peerPendingRequestsMax)" }
        if inboundConnectionsMax < 1 { return "inboundConnectionsMax must be at least 1, not \(inboundConnectionsMax)" }
        if connectTimeoutMilliseconds < 1 { return "connectTimeoutMilliseconds must be at least 1, not \(connectTimeoutMilliseconds)" }
        if handshakeTimeoutMilliseconds < 1 { return "handshakeTimeoutMilliseconds must be at least 1, not \(handshakeTimeoutMilliseconds)" }
        if reconnectBackoffInitialMilliseconds < 1 {
            return "reconnectBackoffInitialMilliseconds must be at least 1, not \(reconnectBackoffInitialMilliseconds)"
        }
        if reconnectBackoffMaxMilliseconds < reconnectBackoffInitialMilliseconds {
            return "reconnectBackoffMaxMilliseconds (\(reconnectBackoffMaxMilliseconds)) is below reconnectBackoffInitialMilliseconds (\(reconnectBackoffInitialMilliseconds))"
        }
        if writeBufferHighWaterMarkBytes < 2 { return "writeBufferHighWaterMarkBytes must be at least 2, not \(writeBufferHighWaterMarkBytes)" }
        return nil
    }
}
