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
        let member = InMemoryClusterMember(cluster: self, id: id, tables: Array(tables.keys))
        members[id] = member
        let seed = StableHash.hash(Array(name.utf8))
        let gossip = try GossipNode(
            configuration: GossipNodeConfiguration(name: id, seeds: seeds),
            settings: GossipSettings(fanOut: 2, intervalMilliseconds: 100, partitionCount: Self.partitionCount, replicaCount: 3), seed: seed)
        let placeholder = Ring(partitionCount: Self.partitionCount, members: [RingMember(id)])
        let configuration = NodeConfiguration(id: id, ring: placeholder, ringEpoch: 0, tables: tables)
        let replica = ReplicaNode(configuration: configuration, storage: member.store)
        let detector = try FailureDetector(id: id, members: seeds, random: SplitMix64(seed: seed ^ 1))
        let sender = try Transfer.Sender(
            node: id, limits: Transfer.Limits(bytesPerSecondMax: transferBytesPerSecond), storage: member.store, run: 1, nowMilliseconds: now)
        let receiver = Transfer.Receiver(node: id, policies: tables.mapValues(\.policy))
        let node = ClusterNode(
            replica: replica, membership: ClusterMembership(gossip: gossip, detector: detector, sender: sender, receiver: receiver))
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
        guard case .values(_, let values, _)? = replies[id]?.reply else { return nil }
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

    init(cluster: InMemoryCluster, id: NodeID, tables: [String]) {
        self.cluster = cluster
        self.id = id
        var engines: [String: any StorageEngine] = [:]
        for table in tables { engines[table] = MemoryEngine() }
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
