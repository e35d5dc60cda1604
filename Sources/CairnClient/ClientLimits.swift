/// The client's limits: how long a call may take and how much it reads or sends. Each is checked, and breaking
/// one is a `CairnClientError` that names it.
public struct ClientLimits: Sendable, Hashable {
    /// Longest one call may take, connecting included, before it fails with `.timedOut`.
    public var requestTimeoutSeconds: Double
    /// Largest response body the client reads (a 300 of many large siblings is the biggest answer).
    public var responseBytesMax: Int
    /// Largest value the client sends; the server's own limit (`valueBytesMax`) is 1 MiB.
    public var valueBytesMax: Int

    public init(
        requestTimeoutSeconds: Double = 10, responseBytesMax: Int = 64 * 1024 * 1024,
        valueBytesMax: Int = 1024 * 1024
    ) {
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.responseBytesMax = responseBytesMax
        self.valueBytesMax = valueBytesMax
    }

    /// The longest `requestTimeoutSeconds` the client accepts (one hour).
    public static let requestTimeoutSecondsMax = 3600.0

    /// What is wrong with these limits, or nil when they are usable.
    public var problem: String? {
        guard requestTimeoutSeconds > 0, requestTimeoutSeconds <= Self.requestTimeoutSecondsMax else {
            return "requestTimeoutSeconds must be within (0, \(Int(Self.requestTimeoutSecondsMax))] seconds, not \(requestTimeoutSeconds)"
        }
        guard responseBytesMax > 0 else { return "responseBytesMax must be positive, not \(responseBytesMax)" }
        guard valueBytesMax >= 0 else { return "valueBytesMax must not be negative" }
        return nil
    }
}
