@testable import CairnSimulator
import CairnCore
import CairnNode
import CairnReplication

extension EngineReplicaStore: TestStorage {
    func apply(_ directive: Directive) throws { try perform(directive) }
    func heldHints() throws -> [Hint] { try storedHints() }
}

/// A small cluster of `ReplicaNode`s on a perfect network (1 ms per message) with virtual time, for
/// reproducing one bug at a time: partitions, crashes, restarts, and whatever the test does to a node's disk.
final class TestCluster {
    enum Event {
        case deliver(from: NodeID, to: NodeID, Message)
        case timer(node: NodeID, epoch: UInt64, TimerID)
    }

    /// The table every test writes: a name of the longest allowed length, so hint keys are at their longest.
    static let table = String(repeating: "t", count: ReplicationLimits.tableNameBytesMax)
    let ring: Ring
    let settings: TableSettings
    let storages: [NodeID: any TestStorage]
    private(set) var cores: [NodeID: ReplicaNode] = [:]
    private(set) var epochs: [NodeID: UInt64] = [:]
    private var queue = EventQueue<Event>()
    private(set) var now: UInt64 = 1_000
    /// Partition group of each node while the network is split; nodes in different groups cannot talk.
    var groups: [NodeID: Int] = [:]
    private var replies: [UInt64: ClientReply] = [:]
    /// Every line the nodes logged, as "node: line".
    private(set) var logs: [String] = []
    private var nextClientID: UInt64 = 1

    init(
        nodes: [NodeID], settings: TableSettings = TableSettings(), storage: (NodeID, Ring) throws -> any TestStorage = { _, _ in TestDisk() }
    ) throws {
        ring = Ring(partitionCount: 64, members: nodes.map { RingMember($0) })
        self.settings = settings
        let ring = self.ring
        storages = try Dictionary(uniqueKeysWithValues: nodes.map { ($0, try storage($0, ring)) })
        for node in nodes { try! start(node) }
    }

    convenience init(nodeCount: Int, settings: TableSettings = TableSettings()) {
        try! self.init(nodes: (1...nodeCount).map { NodeID("n\($0)") }, settings: settings)
    }

    var nodeIDs: [NodeID] { ring.members.map(\.id) }

    func disk(_ node: NodeID) -> TestDisk { storages[node] as! TestDisk }

    func primaries(of key: String) -> [NodeID] { ring.preferenceList(for: Array(key.utf8), count: settings.replicas) }

    /// A 7-node cluster with the primaries of `key` cut off from the rest, and a node of the rest.
    static func primariesCutOff(of key: String) -> (cluster: TestCluster, primaries: [NodeID], outsider: NodeID) {
        let cluster = TestCluster(nodeCount: 7)
        let primaries = cluster.primaries(of: key)
        cluster.isolate(primaries)
        return (cluster, primaries, cluster.outsider(of: key))
    }

    /// A node that is not a primary of `key`.
    func outsider(of key: String) -> NodeID { nodeIDs.first { !primaries(of: key).contains($0) }! }

    // MARK: Nodes

    /// Starts `node` with the counters a shell's `beginStart` chose, or else a new incarnation (and start) each time.
    func start(_ node: NodeID, as counters: NodeStart? = nil) throws {
        let epoch = (epochs[node] ?? 0) + 1
        epochs[node] = epoch
        let configuration = NodeConfiguration(
            id: node, incarnation: counters?.incarnation ?? epoch, start: counters?.start, ring: ring, tables: [Self.table: settings])
        var core = ReplicaNode(configuration: configuration, storage: storages[node]!, hints: try storages[node]!.heldHints())
        let directives = core.start(now: now)
        cores[node] = core
        try perform(directives, at: node)
    }

    func crash(_ node: NodeID) { cores[node] = nil }

    /// Cuts `nodes` off from everyone else.
    func isolate(_ nodes: [NodeID]) {
        groups = Dictionary(uniqueKeysWithValues: nodeIDs.map { ($0, nodes.contains($0) ? 1 : 0) })
    }

    func heal() { groups = [:] }

    // MARK: Requests

    /// Sends a request to `node` and runs until it is answered (nil when it is not within `waitMilliseconds`).
    @discardableResult
    func request(
        _ operation: ClientRequest.Operation, key: String, at node: NodeID, options: RequestOptions = .defaults,
        waitMilliseconds: UInt64 = 5_000
    ) throws -> ClientReply? {
        let id = nextClientID
        nextClientID += 1
        let request = ClientRequest(id: id, table: Self.table, key: Array(key.utf8), operation: operation, options: options)
        try perform(cores[node]!.onClientRequest(request, now: now), at: node)
        let deadline = now + waitMilliseconds
        try run { self.replies[id] != nil || self.now > deadline }
        return replies.removeValue(forKey: id)
    }

    func put(_ value: String, key: String, at node: NodeID, context: [UInt8]? = nil) throws -> ClientReply? {
        try request(.put(value: Array(value.utf8), context: context), key: key, at: node)
    }

    /// The values a get finds (sorted) and its context; nil when the get failed.
    func get(_ key: String, at node: NodeID, readQuorum: Int? = nil) throws -> (values: [String], context: [UInt8])? {
        let reply = try request(.get, key: key, at: node, options: RequestOptions(readQuorum: readQuorum))
        guard case .values(_, let values, let context, _)? = reply else { return nil }
        return (values.map { String(decoding: $0, as: UTF8.self) }.sorted(), context)
    }

    // MARK: Event loop

    func runFor(_ milliseconds: UInt64) throws {
        let end = now + milliseconds
        try run { self.now >= end }
        now = max(now, end)
    }

    private func run(until done: () -> Bool) throws {
        while !done(), let (time, event) = queue.pop() {
            now = max(now, time)
            switch event {
            case .deliver(let from, let to, let message):
                guard cores[to] != nil else { continue }
                try perform(cores[to]!.onMessage(message, from: from, now: now), at: to)
            case .timer(let node, let epoch, let timer):
                guard cores[node] != nil, epochs[node] == epoch else { continue }
                try perform(cores[node]!.onTimer(timer, now: now), at: node)
            }
        }
    }

    private func perform(_ directives: [Directive], at node: NodeID) throws {
        for directive in directives {
            switch directive {
            case .send(let to, let message):
                guard groups[node] == groups[to] else { continue }
                queue.push(.deliver(from: node, to: to, message), at: now + 1)
            case .reply(let reply):
                replies[reply.id] = reply
            case .startTimer(let timer, let after):
                queue.push(.timer(node: node, epoch: epochs[node]!, timer), at: now + after)
            case .log(let line):
                logs.append("\(node): \(line)")
                try storages[node]!.apply(directive)
            default:
                try storages[node]!.apply(directive)
            }
        }
    }
}

extension Optional where Wrapped == ClientReply {
    /// Whether the request was answered `written`.
    var isWritten: Bool { if case .written? = self { true } else { false } }
}
