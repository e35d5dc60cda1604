/// Why a client call failed, as one line a user can act on (`description`).
public enum CairnClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server answered with an error status; `message` is its `{"error": ...}` text (or the raw body).
    /// A missed quorum (503) also says how many replicas answered and were needed.
    case server(status: Int, message: String, replicasAnswered: Int?, replicasNeeded: Int?)
    /// The server answered 404 on a route it does not serve (e.g. an older node without the admin routes).
    case routeMissing(route: String, node: String)
    /// No connection could be made to the node.
    case cannotConnect(node: String, reason: String)
    /// The call did not finish within `requestTimeoutSeconds`.
    case timedOut(route: String, node: String, seconds: Double)
    /// The response body was larger than `responseBytesMax`.
    case responseTooLarge(route: String, bytesMax: Int)
    /// The server's answer could not be understood (unexpected status, bad JSON, bad base64).
    case invalidResponse(route: String, problem: String)
    /// The call was refused before anything was sent: a bad node address, an empty key, a value over its limit.
    case invalidArgument(String)
    /// The connection failed while the request was under way.
    case connectionLost(route: String, reason: String)

    public var description: String {
        switch self {
        case .server(let status, let message, _, _):
            "server answered \(status): \(message)"
        case .routeMissing(let route, let node):
            "\(node) has no route \(route) (404): it is not a cairn server with that API"
        case .cannotConnect(let node, let reason):
            "cannot connect to \(node): \(reason)"
        case .timedOut(let route, let node, let seconds):
            "\(route) to \(node) took longer than requestTimeoutSeconds (\(formatSeconds(seconds)) s)"
        case .responseTooLarge(let route, let bytesMax):
            "the answer to \(route) exceeds responseBytesMax (\(bytesMax) bytes)"
        case .invalidResponse(let route, let problem):
            "unexpected answer to \(route): \(problem)"
        case .invalidArgument(let problem):
            problem
        case .connectionLost(let route, let reason):
            "connection lost during \(route): \(reason)"
        }
    }

    /// The HTTP status of a server error, nil for other failures.
    public var status: Int? {
        if case .server(let status, _, _, _) = self { return status }
        return nil
    }
}

/// `2`, `2.5`: seconds without a needless `.0`.
func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
}
