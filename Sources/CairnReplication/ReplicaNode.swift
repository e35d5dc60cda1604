import CairnCore

/// One Cairn node's replication logic as a deterministic state machine: coordinator, replica and hint holder.
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
    public let configuration: NodeConfiguration
    let storage: any ReplicaStorageView
    /// The ring this node routes by: `configuration.ring` at start, then each newer ring `onRingChange` brings.
    public internal(set) var ring: Ring
    /// The epoch of `ring`; a ring of an epoch not above it is ignored.
    public internal(set) var ringEpoch: UInt64

    var now: UInt64 = 0
    var nextSequence: UInt64 = 1
    var writes: [RequestID: PendingWrite] = [:]
    var reads: [RequestID: PendingRead] = [:]
    var reaps: [RequestID: PendingReap] = [:]
    /// Version-vector prunes waiting out their grace (see `ReplicaNode+Prune`).
    var prunes = PendingPrunes()
    var forwards: [RequestID: PendingForward] = [:]
    /// Forwarded requests already taken on, with when, so a duplicated `coordinate` is not applied twice.
    var acceptedForwards: [RequestID: UInt64] = [:]
    /// Hints held for other nodes, one per (owner, table, key); mirrored durably through hint directives.
    public internal(set) var hints: [HintSlot: Hint] = [:]
    /// Nodes that missed a deadline and have not been heard from since, with when they were suspected.
    /// Suspicion lapses after `suspicionMilliseconds`, so a recovered node is tried again.
    public internal(set) var suspicions: [NodeID: UInt64] = [:]
    /// When each node was last heard from; a node heard from within `replicaTimeout` is presumed up.
    var lastHeard: [NodeID: UInt64] = [:]
    /// Stored copies that could not be read (or decoded, past `quarantinedKeysMax`); requests touching them
    /// failed, nothing was written over them.
    public internal(set) var unreadableCopyCount = 0
    /// Stored copies that did not decode and were moved to the quarantine (see `ReplicaNode+Quarantine`).
    public internal(set) var quarantinedCopyCount = 0
    /// The fresh actor of each key quarantined in this start (see `ReplicaNode+Quarantine`).
    var quarantineActors: [OneShotCopies.Slot: NodeID] = [:]
    /// Merges refused because they would have passed a sibling or version-vector limit (the write was not acknowledged).
    public internal(set) var refusedMergeCount = 0
    /// The one-shot writes this node coordinated in this epoch, per key (see `ReplicaNode+OneShot`).
    var oneShot = OneShotCopies()

    public var id: NodeID { configuration.id }

    /// A node over its stored replicas and the hints it persisted before a restart.
    public init(configuration: NodeConfiguration, storage: any ReplicaStorageView, hints: [Hint] = []) {
        for table in configuration.tables.values { precondition((try? table.check()) != nil, "valid table settings") }
        self.configuration = configuration
        self.storage = storage
        self.ring = configuration.ring
        self.ringEpoch = configuration.ringEpoch
        for hint in hints { self.hints[hint.slot] = hint }
    }

    /// Starts the node's periodic work; call once, before any other event.
    public mutating func start(now: UInt64) -> [Directive] {
        self.now = now
        return [.startTimer(.hintDelivery, afterMilliseconds: configuration.hintDeliveryIntervalMilliseconds)]
    }

    /// Requests this node is coordinating right now.
    public var pendingRequestCount: Int { writes.count + reads.count + forwards.count }

    /// A client's request. A put or delete reaching a node that is not one of the key's primaries is
    /// forwarded to a primary, so that writes are numbered by the key's primaries.
    public mutating func onClientRequest(_ request: ClientRequest, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        return handle(request, route: .client, mayForward: true)
    }

    mutating func handle(_ request: ClientRequest, route: ReplyRoute, mayForward: Bool) -> [Directive] {
        guard let table = configuration.tables[request.table] else {
            return [route.answer(.failed(id: request.id, error: .unknownTable(request.table)))]
        }
        guard (1...ReplicationLimits.keyBytesMax).contains(request.key.count) else {
            return [route.answer(.failed(id: request.id, error: .keyInvalid(bytes: request.key.count, limit: ReplicationLimits.keyBytesMax)))]
        }
        guard pendingRequestCount < ReplicationLimits.pendingRequestsMax else {
            return [route.answer(.failed(id: request.id, error: .overloaded(pending: pendingRequestCount, limit: ReplicationLimits.pendingRequestsMax)))]
        }
        do {
            switch request.operation {
            case .get:
                return try coordinateGet(request, table)
            case .put(let value, let context):
                guard value.count <= ReplicationLimits.valueBytesMax else {
                    throw ReplicationError.valueTooLarge(bytes: value.count, limit: ReplicationLimits.valueBytesMax)
                }
                if mayForward, let forwarded = forwardIfNotPrimary(request, table) { return forwarded }
                return try coordinatePut(request, table, value: value, tombstone: false, context: context, route: route)
            case .delete(let context):
                if mayForward, let forwarded = forwardIfNotPrimary(request, table) { return forwarded }
                return try coordinatePut(request, table, value: [], tombstone: true, context: context, route: route)
            }
        } catch let error as ReplicationError {
            return [route.answer(.failed(id: request.id, error: error))]
        } catch {
            preconditionFailure("coordinators throw only ReplicationError: \(error)")
        }
    }

    public mutating func onMessage(_ message: Message, from sender: NodeID, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        suspicions[sender] = nil
        lastHeard[sender] = self.now
        switch message {
        case .replicaPut(let id, let table, let key, let data, let hintFor):
            return replicaPut(id: id, table: table, key: key, data: data, hintFor: hintFor, from: sender)
        case .replicaPutAck(let id):
            return writeAcknowledged(id, by: sender)
        case .replicaGet(let id, let table, let key):
            do {
                return try replicaGetReply(id: id, table: table, key: key, to: sender)
            } catch {
                return [unreadable(error, table: table, key: key, doing: "answering a read")]
            }
        case .replicaGetReply(let id, let data):
            return readReplied(id, by: sender, data: data)
        case .hintDelivery(let table, let key, let data):
            return hintDelivered(table: table, key: key, data: data, from: sender)
        case .hintAck(let table, let key, let data):
            return hintAcknowledged(table: table, key: key, data: data, by: sender)
        case .reap(let table, let key, let history):
            return reapIfUnchanged(table: table, key: key, history: history)
        case .prune(let table, let key, let entries):
            return pruneIfUnchanged(table: table, key: key, entries: entries)
        case .coordinate(let id, let request):
            return coordinateForwarded(request, id: id, from: sender)
        case .coordinateAccepted(let id):
            forwards[id]?.accepted = true
            return []
        case .coordinated(let id, let reply):
            guard forwards.removeValue(forKey: id) != nil else { return [] }
            return [.reply(reply)]
        case .ping(let id):
            return [.send(to: sender, .pong(id: id))]
        case .pong(let id):
            return ponged(id, by: sender)
        }
    }

    public mutating func onTimer(_ timer: TimerID, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        switch timer {
        case .replicaTimeout(let id):
            return writes[id] != nil ? replaceSilentWriteReplicas(id) : replaceSilentReadReplicas(id)
        case .requestTimeout(let id):
            return writes[id] != nil ? writeTimedOut(id) : readTimedOut(id)
        case .hintDelivery:
            oneShot.tick(lifetimeTicks: OneShotCopies.lifetimeTicks(configuration))
            return offerHints()
        case .reap(let id):
            return reapNow(id)
        case .prune(let id):
            return pruneNow(id)
        case .forwardTimeout(let id):
            return forwardNotAccepted(id)
        case .forwardExpired(let id):
            guard let forward = forwards.removeValue(forKey: id) else { return [] }
            return [.reply(.failed(id: forward.request.id, error: .timeout(needed: 1, got: 0)))]
        }
    }

    // MARK: Shared helpers

    /// Nodes suspected now.
    public var suspected: Set<NodeID> {
        Set(suspicions.filter { now - $0.value < configuration.suspicionMilliseconds }.keys)
    }

    mutating func suspect(_ node: NodeID) {
        if suspicions[node] == nil || !suspected.contains(node) { suspicions[node] = now }
    }

    mutating func newRequestID() -> RequestID {
        defer { nextSequence += 1 }
        return RequestID(coordinator: id, start: configuration.start, sequence: nextSequence)
    }

    /// The key's N primaries, and every other node in ring order (the fallbacks), by the current ring. A request
    /// keeps the lists it started with (`PendingWrite.primaries`, `targets`) even if the ring changes meanwhile.
    func replicas(of key: [UInt8], _ table: TableSettings) -> (primaries: [NodeID], fallbacks: [NodeID]) {
        let walk = ring.preferenceList(for: key, count: ring.members.count)
        let primaries = Array(walk.prefix(table.replicas))
        return (primaries, Array(walk.dropFirst(table.replicas)))
    }

    /// The stored copy of a key, or empty when absent. Throws `storageFailure` when the engine fails and
    /// `corruptReplicaData` when the bytes do not decode: an unreadable copy is never taken for an absent one.
    func localCopy(table: String, key: [UInt8]) throws(ReplicationError) -> SiblingSet {
        try storedCopy(table: table, key: key)?.copy ?? .empty
    }

    /// The stored copy of a key, decoded and as stored; nil when absent. Throws as `localCopy` does.
    func storedCopy(table: String, key: [UInt8]) throws(ReplicationError) -> (copy: SiblingSet, data: [UInt8])? {
        let data: [UInt8]?
        do {
            data = try storage.load(table: table, key: key)
        } catch {
            throw .storageFailure("table '\(table)', key of \(key.count) bytes: \(error)")
        }
        guard let data else { return nil }
        return (try SiblingSetCodec.decode(data), data)
    }

    /// Counts a stored copy (or held hint) that could not be read and says so in the log.
    mutating func unreadable(_ error: ReplicationError, table: String, key: [UInt8], doing what: String) -> Directive {
        unreadableCopyCount += 1
        return .log("\(id): unreadable copy of a key of \(key.count) bytes in '\(table)' while \(what), left as it is: \(error)")
    }

    /// Counts a merge refused at a limit and says so in the log.
    mutating func refusedMerge(_ error: ReplicationError, table: String, key: [UInt8], doing what: String) -> Directive {
        refusedMergeCount += 1
        return .log("\(id): refused \(what) of a key of \(key.count) bytes in '\(table)': \(error)")
    }

    func policy(of table: String) -> ConflictPolicy {
        configuration.tables[table]?.policy ?? .siblings
    }
}
