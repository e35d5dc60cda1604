import CairnCore
import CairnMembership
import CairnReplication

/// One whole node as a sans-IO state machine: the replication core (`ReplicaNode`) and, when it runs in a cluster,
/// its membership (`ClusterMembership`: gossip, failure detector, transfer sender and receiver), wired together.
/// Events come in (client requests, `NodeMessage`s, `NodeTimer`s, admin actions) with the injected time;
/// `NodeDirective`s come out for `NodeShell` to perform in order.
///
/// The wiring (issue 9):
/// - a gossiped ring of a newer epoch goes to `ReplicaNode.onRingChange`, and the transfers it implies
///   (`ReplicaMoves`) are planned on this node's sender where it is the old holder; the receiver takes any
///   transfer addressed to this node; a node that skipped ring epochs sends every partition it held to every holder
///   of the new ring instead (`ClusterNode+SkippedEpochs`);
/// - a transfer's `dropPartition` is performed only once this node no longer holds the partition in the current
///   ring and sends it nowhere else;
/// - every write the core stores (`persist`, `remove`) to a partition being sent is first reported to the
///   sender (`noteWrite`), and its directives come before the write's;
/// - hints held for a node that left the ring are offered to the partition's new holder instead
///   (`Transfer.Plan.newOwner(ofPartition:)`), whose acknowledgement is taken for the owner's;
/// - the detector's `unreachableMembers` go to `ReplicaNode.onUnreachableMembersChanged` whenever they change;
/// - tables the gossiped catalog creates are opened (`openTable`) and added to the core (`onTableAdded`);
/// - every `ownershipCheckIntervalMilliseconds` a partition stored here but not held in the ring is handed to its
///   holders and dropped once they acknowledged it (`ClusterNode+Ownership`).
///
/// Without membership (`init(replica:)`) it passes the core's directives through unchanged: the simulator runs
/// nodes that way.
public struct ClusterNode {
    public internal(set) var replica: ReplicaNode
    public internal(set) var membership: ClusterMembership?

    public var id: NodeID { replica.id }

    /// A node without membership: its ring and tables are fixed unless the caller changes them.
    public init(replica: ReplicaNode) {
        self.replica = replica
    }

    /// A node in a cluster; `membership`'s parts must all belong to `replica`'s node.
    public init(replica: ReplicaNode, membership: ClusterMembership) {
        precondition(
            membership.gossip.name == replica.id && membership.detector.id == replica.id && membership.sender.node == replica.id
                && membership.receiver.node == replica.id, "every part of a node has the node's name")
        self.replica = replica
        self.membership = membership
    }

    /// Starts every part's periodic work, then follows the cluster state it starts from (a newer ring, tables).
    public mutating func start(now: UInt64) -> [NodeDirective] {
        var out = replica.start(now: now).map(NodeDirective.replica)
        guard membership != nil else { return out }
        out += Self.wrap(membership!.gossip.start())
        out += Self.wrap(membership!.detector.start(now: now))
        out.append(.startTimer(.ownership, afterMilliseconds: membership!.ownershipCheckIntervalMilliseconds))
        return out + followClusterState(now: now)
    }

    public mutating func onClientRequest(_ request: ClientRequest, now: UInt64) -> [NodeDirective] {
        let directives = replica.onClientRequest(request, now: now)
        return routeReplica(directives)
    }

    public mutating func onMessage(_ message: NodeMessage, from sender: NodeID, now: UInt64) -> [NodeDirective] {
        switch message {
        case .replication(let message):
            let from = originalOwner(of: message, from: sender)
            let directives = replica.onMessage(message, from: from, now: now)
            return routeReplica(directives)
        case .gossip(let message):
            guard membership != nil else { return [] }
            let out = Self.wrap(membership!.gossip.onMessage(message, from: sender))
            return out + followClusterState(now: now)
        case .detector(let message):
            guard membership != nil else { return [] }
            return Self.wrap(membership!.detector.onMessage(message, from: sender, now: now)) + followDetector(now: now)
        case .transfer(let message):
            guard membership != nil else { return [] }
            // Each machine's directives are taken before they are routed: routing reads the machines' new state.
            guard Transfer.isForSender(message) else {
                if case .batch(let transfer, let sequence, _, _) = message, !holds(id, table: transfer.table, partition: transfer.partition) {
                    // Not merged and not acknowledged: the sender asks again, by when this node may hold it (its ring
                    // lags), or the sender has cancelled it (its ring was older).
                    return [.log("\(id): batch \(sequence) of \(transfer) refused: not a holder of the partition in ring epoch \(replica.ringEpoch)")]
                }
                let received = membership!.receiver.onMessage(message, from: sender)
                return routeTransfer(received)
            }
            let sent = membership!.sender.onMessage(message, from: sender, nowMilliseconds: now)
            return routeTransfer(sent) + markMovesDone()
        }
    }

    public mutating func onTimer(_ timer: NodeTimer, now: UInt64) -> [NodeDirective] {
        switch timer {
        case .replication(let timer):
            let directives = replica.onTimer(timer, now: now)
            return routeReplica(directives)
        case .gossip(let timer):
            guard membership != nil else { return [] }
            return Self.wrap(membership!.gossip.onTimer(timer)) + followClusterState(now: now)
        case .detector(let timer):
            guard membership != nil else { return [] }
            return Self.wrap(membership!.detector.onTimer(timer, now: now)) + followDetector(now: now)
        case .transfer(let timer):
            guard membership != nil else { return [] }
            let fired = membership!.sender.onTimer(timer, nowMilliseconds: now)
            return routeTransfer(fired)
        case .ownership:
            guard membership != nil else { return [] }
            return checkOwnership(now: now)
        }
    }

    /// An operator action on the gossip node (`stageJoin`, `stageLeave`, `commit`, `createTable`, `markDown` …):
    /// `action` runs on it and its directives are performed; then the node follows the changed state (a commit made
    /// here changes this node's ring at once). Throws what the action throws (a one-line `GossipError`), changing
    /// nothing then. A node without membership refuses every action.
    public mutating func onAdmin(
        now: UInt64, _ action: (inout GossipNode) throws(GossipError) -> [GossipDirective]
    ) throws(GossipError) -> [NodeDirective] {
        guard membership != nil else { throw .refused("\(id) runs without membership: no admin actions") }
        var gossip = membership!.gossip
        let out = try action(&gossip)
        membership!.gossip = gossip
        return Self.wrap(out) + followClusterState(now: now)
    }

    /// A ring from elsewhere than gossip (a test, the simulator); a node in a cluster takes its rings from gossip.
    public mutating func onRingChange(ring: Ring, epoch: UInt64, now: UInt64) -> [NodeDirective] {
        let directives = replica.onRingChange(ring: ring, epoch: epoch, now: now)
        return routeReplica(directives)
    }

    /// Takes back, after a restart, the transfers this node was sending and receiving (from
    /// `EngineReplicaStore.storedTransferRecords()` and `storedDirtyKeys()`); call after `start`.
    public mutating func restoreTransfers(
        records: [Transfer.ProgressRecord], dirtyKeys: [Transfer.ID: [[UInt8]]], now: UInt64
    ) -> [NodeDirective] {
        guard membership != nil else { return [] }
        membership!.receiver.restore(records: records)
        let restored = membership!.sender.restore(records: records, dirtyKeys: dirtyKeys, nowMilliseconds: now)
        return routeTransfer(restored)
    }
}
