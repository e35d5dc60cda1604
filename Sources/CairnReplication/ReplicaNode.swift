import CairnCore

/// One Cairn node's replication logic as a deterministic state machine: a small router over the coordinator
/// (`Coordinator/`), the replica side (`Replica/`) and the hint holder (`Hints/`), each with its own state,
/// messages and timers.
///
/// Client requests, messages and timer firings come in with the current (injected) time; directives come
/// out — sends, persists, replies and timers — for the shell to perform in order. Nothing here touches a
/// socket, a clock, a disk or a random source: the same code runs under SwiftNIO and in the simulator.
///
/// Writes use dotted version vectors (`SiblingSet`). A primary replica coordinates a put under its actor
/// (`node/incarnation`, new only when the node may have lost history, see `NodeConfiguration.incarnation`),
/// reading its stored copy first, so its counters for a key come from durable state and are never reissued. Any other node forwards the put to a primary;
/// only when no primary answers does it coordinate itself, as a one-shot writer (see `ReplicaNode+OneShot`).
public struct ReplicaNode {
    /// Identity, timeouts and tables; tables grow through `onTableAdded` (the gossiped catalog).
    public internal(set) var configuration: NodeConfiguration
    let storage: any ReplicaStorageView
    /// The ring this node routes by: `configuration.ring` at start, then each newer ring `onRingChange` brings.
    public internal(set) var ring: Ring
    /// The epoch of `ring`; a ring of an epoch not above it is ignored.
    public internal(set) var ringEpoch: UInt64

    var now: UInt64 = 0
    /// The latest time an event brought (milliseconds): what a caller without a clock of its own passes on.
    public var latestEventTime: UInt64 { now }
    var nextSequence: UInt64 = 1
    /// The coordinator's state (`Coordinator`): requests coordinated or forwarded, tombstones to reap.
    var coordinator = Coordinator.State()
    /// The replica side's state (`Replica`).
    var replica = Replica.State()
    /// The hint holder's state (`Hints`).
    var hintHolder = Hints.State()
    /// The one-shot writes this node coordinated in this epoch, per key (see `ReplicaNode+OneShot`).
    var oneShot = OneShotCopies()
    /// Version-vector prunes waiting out their grace (see `ReplicaNode+Prune`).
    var prunes = PendingPrunes()
    /// Nodes that missed a deadline and have not been heard from since, with when they were suspected.
    /// Suspicion lapses after `suspicionMilliseconds`, so a recovered node is tried again.
    public internal(set) var suspicions: [NodeID: UInt64] = [:]
    /// Members the failure detector holds suspected or dead (see `ReplicaNode+Membership`): suspected until it
    /// says otherwise, whatever is heard from them meanwhile.
    public internal(set) var unreachable: Set<NodeID> = []
    /// When each node was last heard from; a node heard from within `replicaTimeout` is presumed up.
    var lastHeard: [NodeID: UInt64] = [:]
    /// Stored copies that could not be read (or decoded, past `quarantinedKeysMax`); requests touching them
    /// failed, nothing was written over them.
    public internal(set) var unreadableCopyCount = 0
    /// Stored copies that did not decode and were moved to the quarantine (see `ReplicaNode+Quarantine`).
    public internal(set) var quarantinedCopyCount = 0
    /// Partitions dropped in this start (each drop numbers a fresh actor, see `ReplicaNode+DroppedPartitions`).
    public internal(set) var droppedPartitionCount = 0
    /// Merges refused because they would have passed a sibling or version-vector limit (the write was not acknowledged).
    public internal(set) var refusedMergeCount = 0

    public var id: NodeID { configuration.id }

    /// A node over its stored replicas and the hints it persisted before a restart.
    public init(configuration: NodeConfiguration, storage: any ReplicaStorageView, hints: [Hint] = []) {
        for table in configuration.tables.values { precondition((try? table.check()) != nil, "valid table settings") }
        self.configuration = configuration
        self.storage = storage
        self.ring = configuration.ring
        self.ringEpoch = configuration.ringEpoch
        for hint in hints { hintHolder.held[hint.slot] = hint }
    }

    /// Starts the node's periodic work; call once, before any other event.
    public mutating func start(now: UInt64) -> [Directive] {
        self.now = now
        return [.startTimer(.hints(.delivery), afterMilliseconds: configuration.hintDeliveryIntervalMilliseconds)]
    }

    /// Hints held for other nodes, one per (owner, table, key); mirrored durably through hint directives.
    public var hints: [HintSlot: Hint] { hintHolder.held }

    /// Requests this node is coordinating right now.
    public var pendingRequestCount: Int { coordinator.pendingRequestCount }

    /// A client's request. A put or delete reaching a node that is not one of the key's primaries is
    /// forwarded to a primary, so that writes are numbered by the key's primaries.
    public mutating func onClientRequest(_ request: ClientRequest, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        return handle(request, route: .client, mayForward: true)
    }

    /// A message from another node, handed to the state machine it is for.
    public mutating func onMessage(_ message: Message, from sender: NodeID, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        suspicions[sender] = nil
        lastHeard[sender] = self.now
        switch message {
        case .coordinator(let message): return onCoordinatorMessage(message, from: sender)
        case .replica(let message): return onReplicaMessage(message, from: sender)
        case .hints(let message): return onHintsMessage(message, from: sender)
        }
    }

    /// A timer this node started fired, handed to the state machine that started it.
    public mutating func onTimer(_ timer: TimerID, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        switch timer {
        case .coordinator(let timer): return onCoordinatorTimer(timer)
        case .hints(.delivery):
            oneShot.tick(lifetimeTicks: OneShotCopies.lifetimeTicks(configuration))
            return offerHints()
        }
    }

    // MARK: Shared helpers

    /// Nodes suspected now: those that missed a deadline lately, and those the failure detector holds unreachable.
    public var suspected: Set<NodeID> {
        Set(suspicions.filter { now - $0.value < configuration.suspicionMilliseconds }.keys).union(unreachable)
    }

    mutating func suspect(_ node: NodeID) {
        if suspicions[node] == nil || !suspected.contains(node) { suspicions[node] = now }
    }

    mutating func newRequestID() -> RequestID {
        defer { nextSequence += 1 }
        return RequestID(coordinator: id, start: configuration.start, sequence: nextSequence)
    }

    /// The key's N primaries, and every other node in ring order (the fallbacks), by the current ring. A request
    /// keeps the lists it started with (`QuorumRequest.primaries`, `targets`) even if the ring changes meanwhile.
    func replicas(of key: [UInt8], _ table: TableSettings) -> (primaries: [NodeID], fallbacks: [NodeID]) {
        let walk = ring.preferenceList(for: key, count: ring.members.count)
        let primaries = Array(walk.prefix(table.replicas))
        return (primaries, Array(walk.dropFirst(table.replicas)))
    }
}
