import CairnCore
import CairnMembership
import CairnNode
import CairnReplication
import CairnStorage
import MemoryEngine
import Testing

/// Nodes in one process over an in-memory network, driven step by step in virtual time: every message arrives
/// 1 ms after it is sent (unless its sender or receiver is down), every timer fires when due. Each node is a
/// `NodeShell` running a full `ClusterNode` (gossip, failure detector, transfers) over memory engines.
final class InMemoryCluster {
    enum Event {
        case deliver(from: NodeID, to: NodeID, NodeMessage)
        case timer(node: NodeID, generation: UInt64, NodeTimer)
    }

    static let partitionCount = 64
    private(set) var now: UInt64 = 0
    private var queue = EventQueue<Event>()
    private(set) var members: [NodeID: InMemoryClusterMember] = [:]
    /// Replies by client request id, with when they arrived.
    private(set) var replies: [UInt64: (reply: ClientReply, at: UInt64)] = [:]
    private var nextRequestID: UInt64 = 1
    /// The id of the last client request sent.
    var lastRequestID: UInt64 { nextRequestID - 1 }
    /// Nodes that are down: they neither send nor receive.
    private(set) var down: Set<NodeID> = []
    /// Nodes cut off from gossip (both ways), so their ring lags while everything else reaches them.
    var gossipCutOff: Set<NodeID> = []
    /// The transfer throttle of nodes added from now on (nil: unthrottled).
    var transferBytesPerSecond: Int?

    /// Starts a node with the static tables `tables` (every node gets the same), gossiping first with `seeds`
    /// (none: it founds the cluster). Its core starts from a placeholder ring of epoch 0 and adopts the gossiped one.
    func addNode(_ name: String, seeds: [NodeID], tables: [String: TableSettings]) throws {
        let id = NodeID(name)
        let member = InMemoryClusterMember(cluster: self, id: id, seeds: seeds, tables: tables)
        members[id] = member
        try start(member, restoredState: nil)
    }

    /// Restarts a crashed node over its stores: its gossip from the cluster state it persisted (its core routes by
    /// that ring at once), and its transfers from their records.
    func restart(_ node: NodeID) throws {
        let member = members[node]!
        down.remove(node)
        try start(member, restoredState: try member.store.storedClusterState())
        let records = try member.store.storedTransferRecords()
        #expect(try member.shell.restoreTransfers(records: records, dirtyKeys: try member.store.storedDirtyKeys(), now: now) == .performed)
    }

    private func start(_ member: InMemoryClusterMember, restoredState: ClusterState?) throws {
        let id = member.id
        member.starts += 1
        let seed = StableHash.hash(Array(id.name.utf8)) &+ member.starts
        let gossip = try GossipNode(
            configuration: GossipNodeConfiguration(name: id, seeds: member.seeds),
            settings: GossipSettings(fanOut: 2, intervalMilliseconds: 100, partitionCount: Self.partitionCount, replicaCount: 3), seed: seed,
            restoredState: restoredState)
        let ring = restoredState?.ring
        let configuration = NodeConfiguration(
            id: id, ring: ring?.ring ?? Ring(partitionCount: Self.partitionCount, members: [RingMember(id)]),
            ringEpoch: ring?.epoch ?? 0, tables: member.tables)
        // As a server starts: the start record picks the incarnation and start counter, the stored hints come back.
        let (replica, counters) = try member.shell.prepareStart(
            over: member.store, configuration: configuration, wallClockMilliseconds: now, bufferedTables: [], freshCounter: 1 + seed % 1_000)
        let watched = Set(member.seeds + (restoredState?.members.keys.map { $0 } ?? [])).subtracting([id])
        let detector = try FailureDetector(id: id, members: watched.sorted(), random: SplitMix64(seed: seed ^ 1))
        let sender = try Transfer.Sender(
            node: id, limits: Transfer.Limits(bytesPerSecondMax: transferBytesPerSecond), storage: member.store, run: counters.start,
            nowMilliseconds: now)
        let receiver = Transfer.Receiver(node: id, policies: member.tables.mapValues(\.policy))
        let node = ClusterNode(
            replica: replica, membership: ClusterMembership(
                gossip: gossip, detector: detector, sender: sender, receiver: receiver, ownershipCheckIntervalMilliseconds: 500))
        #expect(try member.shell.start(node, store: member.store, now: now) == .performed)
    }

    func member(_ name: NodeID) -> InMemoryClusterMember { members[name]! }

    /// Runs every event due within the next `milliseconds`.
    func run(for milliseconds: UInt64) throws {
        let end = now + milliseconds
        while let next = queue.nextTime, next <= end {
            let (time, event) = queue.pop()!
            now = time
            switch event {
            case .deliver(let from, let to, let message):
                guard !down.contains(from), !down.contains(to) else { continue }
                if case .gossip = message, gossipCutOff.contains(from) || gossipCutOff.contains(to) { continue }
                try members[to]!.shell.onMessage(message, from: from, now: now)
            case .timer(let node, let generation, let timer):
                guard !down.contains(node) else { continue }
                try members[node]!.shell.onTimer(timer, generation: generation, now: now)
            }
        }
        now = end
    }

    /// Runs until `condition` holds, checking every 10 ms; false if it did not within `milliseconds`.
    func run(upTo milliseconds: UInt64, until condition: () -> Bool) throws -> Bool {
        let end = now + milliseconds
        while now < end {
            if condition() { return true }
            try run(for: 10)
        }
        return condition()
    }

    /// Sends a client request to `node` and returns its id; the reply lands in `replies`.
    @discardableResult
    func request(at node: NodeID, table: String, key: String, _ operation: ClientRequest.Operation, options: RequestOptions = .defaults) throws -> UInt64 {
        let id = nextRequestID
        nextRequestID += 1
        try members[node]!.shell.onClientRequest(
            ClientRequest(id: id, table: table, key: Array(key.utf8), operation: operation, options: options), now: now)
        return id
    }

    /// Puts `value` at `node` and waits for the reply (at most 2 s).
    func put(at node: NodeID, table: String, key: String, value: String) throws -> ClientReply? {
        let id = try request(at: node, table: table, key: key, .put(value: Array(value.utf8), context: nil))
        _ = try run(upTo: 2_000) { replies[id] != nil }
        return replies[id]?.reply
    }

    /// Reads at `node` with R = `readQuorum` and returns the values read, or nil when the read failed.
    func values(at node: NodeID, table: String, key: String, readQuorum: Int) throws -> Set<String>? {
        let id = try request(at: node, table: table, key: key, .get, options: RequestOptions(readQuorum: readQuorum))
        _ = try run(upTo: 2_000) { replies[id] != nil }
        guard case .values(_, let values, _, _)? = replies[id]?.reply else { return nil }
        return Set(values.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Takes a node down (its shell stops, messages to and from it are lost), as a crash would.
    func crash(_ node: NodeID) {
        down.insert(node)
        members[node]!.shell.stop()
    }

    func deliver(_ reply: ClientReply) { replies[reply.id] = (reply, now) }
    func send(_ message: NodeMessage, from: NodeID, to: NodeID) { queue.push(.deliver(from: from, to: to, message), at: now + 1) }
    func schedule(_ timer: NodeTimer, at node: NodeID, after: UInt64, generation: UInt64) {
        queue.push(.timer(node: node, generation: generation, timer), at: now + after)
    }
}

/// One node of an `InMemoryCluster`: its shell, memory engines, and the ports the shell performs over.
final class InMemoryClusterMember: NodeTransport, NodeTimerService, ClientReplySink, NodeShellObserver, TableEngineOpener {
    unowned let cluster: InMemoryCluster
    let id: NodeID
    let store: EngineReplicaStore
    private(set) var shell: NodeShell!
    private(set) var logs: [String] = []

    let seeds: [NodeID]
    let tables: [String: TableSettings]
    /// Starts so far (they vary the seeds of gossip and the detector).
    var starts: UInt64 = 0

    init(cluster: InMemoryCluster, id: NodeID, seeds: [NodeID], tables: [String: TableSettings]) {
        self.cluster = cluster
        self.id = id
        self.seeds = seeds
        self.tables = tables
        var engines: [String: any StorageEngine] = [:]
        for table in tables.keys { engines[table] = MemoryEngine() }
        store = EngineReplicaStore(partitionCount: InMemoryCluster.partitionCount, tables: engines, hints: MemoryEngine())
        shell = NodeShell(id: id, transport: self, timers: self, replies: self, observer: self, tableOpener: self)
    }

    var node: ClusterNode { shell.node! }
    var ringEpoch: UInt64 { shell.core!.ringEpoch }

    func send(to node: NodeID, _ message: NodeMessage) { cluster.send(message, from: id, to: node) }
    func schedule(_ timer: NodeTimer, afterMilliseconds: UInt64, generation: UInt64) {
        cluster.schedule(timer, at: id, after: afterMilliseconds, generation: generation)
    }
    func deliver(_ reply: ClientReply) { cluster.deliver(reply) }
    func log(_ line: String) { logs.append(line) }
    func openEngine(for table: TableDefinition) throws -> any StorageEngine { MemoryEngine() }
}
