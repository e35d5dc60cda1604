/// Where a peer lives: host and TCP port of its peer listener.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// Counters of one peer's outbound link, read by `PeerTransport.statistics(of:)`.
public struct PeerLinkStatistics: Sendable, Hashable {
    /// Whether the connection is open and handshaken now.
    public var connected = false
    /// Frames in the send queue now.
    public var framesQueued = 0
    /// Frames handed to the socket.
    public var framesWritten = 0
    /// Frames dropped from a full queue (policy `dropOldest`).
    public var framesDroppedQueueFull = 0
    /// Frames refused by a full queue (policy `refuseNew`).
    public var framesRefusedQueueFull = 0
    public var connectAttempts = 0
    public var connectFailures = 0
    /// Connections whose handshake completed.
    public var connectionsEstablished = 0
    /// Requests awaiting an answer now.
    public var requestsPending = 0
    public var requestsTimedOut = 0
    /// Requests failed because their connection closed after they were written.
    public var requestsLost = 0

    public init() {}
}
