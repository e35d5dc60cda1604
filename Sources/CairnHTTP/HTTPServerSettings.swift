/// How the HTTP server treats client connections: how long one may stall, and how many may be open at once.
public struct HTTPServerSettings: Hashable, Sendable {
    /// A connection on which no complete request part arrives for this long is closed: one idle between
    /// requests, and one whose request head or body stalls half-sent (so a request head must arrive whole
    /// within it). A request the node is answering is never cut by it.
    public var idleTimeoutSeconds: Int
    /// Most client connections open at once. Past it the server accepts no more until one closes; newcomers
    /// wait in the kernel's listen queue (`listenBacklogMax` of them), they are not refused.
    public var connectionsMax: Int

    public static let idleTimeoutSecondsDefault = 60
    public static let idleTimeoutSecondsRange = 1...3_600
    public static let connectionsMaxDefault = 1_024
    public static let connectionsMaxRange = 1...65_536
    /// Connections the kernel queues for the server while it accepts no more.
    public static let listenBacklogMax = 256

    public init(idleTimeoutSeconds: Int = idleTimeoutSecondsDefault, connectionsMax: Int = connectionsMaxDefault) {
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.connectionsMax = connectionsMax
    }

    /// Why these settings cannot be used, naming the setting and its bounds, or nil.
    public var problem: String? {
        if !Self.idleTimeoutSecondsRange.contains(idleTimeoutSeconds) {
            return "idle_timeout_seconds \(idleTimeoutSeconds) is not within \(Self.idleTimeoutSecondsRange.lowerBound)…\(Self.idleTimeoutSecondsRange.upperBound)"
        }
        if !Self.connectionsMaxRange.contains(connectionsMax) {
            return "connections_max \(connectionsMax) is not within \(Self.connectionsMaxRange.lowerBound)…\(Self.connectionsMaxRange.upperBound)"
        }
        return nil
    }
}
