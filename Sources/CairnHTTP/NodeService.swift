import CairnReplication

/// What the HTTP API needs of a node: coordinate client requests, manage tables and report its status.
///
/// The HTTP layer knows nothing else of the node, so it can be served by the real node shell or by a test double.
/// Implementations must not block the caller's executor (engine calls belong on their own threads).
public protocol NodeService: Sendable {
    /// Coordinates one get, put or delete and answers with the core's reply. A quorum that is not reached in time
    /// comes back as `.failed(id, .timeout(needed:got:))`, `got` being how many replicas answered.
    func perform(_ request: ClientRequest) async -> ClientReply

    /// Creates `table` (through the gossiped catalog) and returns it as the node now holds it. Creating a table
    /// that exists with the same settings returns it; a refusal names its reason.
    func createTable(_ table: TableDescription) async throws(TableRefusal) -> TableDescription

    /// Every table the node serves, by name.
    func tables() async -> [TableDescription]

    /// The node, its ring, its members, pending hints and transfers.
    func status() async -> NodeStatus
}

/// Why a node would not create a table, in words a client can act on (e.g. "table 'a' exists with n=3").
public struct TableRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
