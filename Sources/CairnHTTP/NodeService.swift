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

    /// The ring this node routes by: epoch, members with their gossiped status, and each partition's owner.
    func ring() async -> AdminView.Ring

    /// Stages the join of `node` (a node this one has heard of through gossip); returns every staged change.
    func stageJoin(_ node: String) async throws(AdminRefusal) -> AdminView.Staged

    /// Stages the leave of `node` (a ring member); returns every staged change.
    func stageLeave(_ node: String) async throws(AdminRefusal) -> AdminView.Staged

    /// The staged changes and the partition moves committing them would start.
    func plan() async throws(AdminRefusal) -> AdminView.Plan

    /// Commits the staged changes as a new ring (gossiped to every member).
    func commit() async throws(AdminRefusal) -> AdminView.Commit

    /// The partition transfers this node sends or receives, with their progress.
    func transfers() async -> AdminView.Transfers
}

/// Why a node would not create a table, in words a client can act on (e.g. "table 'a' exists with n=3").
public struct TableRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
