import CairnCore
import CairnEngines
import CairnNode
import CairnReplication
import CairnStorage
import CairnTestSupport
import Foundation

/// A seeded, deterministic world of Cairn nodes: virtual time, a lossy reordering network, crashes,
/// restarts and partitions, and clients issuing gets, puts and deletes. A run is a pure function of its seed.
public final class Simulation {
    public static let table = "kv"
    /// Hard stop for any phase, in virtual milliseconds, so a livelock ends the run instead of the test.
    static let phaseMillisecondsMax: UInt64 = 120_000
    /// Trace lines kept for a failure report (`CAIRN_SIM_TRACE_ALL=1` keeps every line).
    static let traceLinesMax = ProcessInfo.processInfo.environment["CAIRN_SIM_TRACE_ALL"] == "1" ? Int.max : 400

    enum Event {
        case deliver(from: NodeID, to: NodeID, Message)
        case timer(node: NodeID, incarnation: UInt64, TimerID)
        case reply(client: Int, ClientReply)
        case clientNext(client: Int)
        case clientTimeout(client: Int, requestID: UInt64)
        case fault
    }

    public let options: SimulationOptions
    let ring: Ring
    let nodeIDs: [NodeID]
    var nodes: [NodeID: SimulatedNode] = [:]
    var random: SplitMix64
    var now: UInt64 = 0
    var queue = EventQueue<Event>()
    var clients: [SimulatedClient] = []
    /// Partition group of each node while the network is split; empty when whole.
    var groups: [NodeID: Int] = [:]
    var chaos = true
    public internal(set) var history = ClientHistory()
    var writeIndexByRequest: [UInt64: Int] = [:]
    var verificationReplies: [UInt64: ClientReply] = [:]
    public internal(set) var trace: [String] = []
    /// Number of trace lines ever written (the kept ones are the last `traceLinesMax`).
    public internal(set) var traceLineCount = 0
    /// A running hash of every trace line, to show two runs of a seed are identical.
    public internal(set) var traceDigest: UInt64 = 0xCBF2_9CE4_8422_2325
    let directory: TemporaryDirectory?

    public init(_ options: SimulationOptions) throws {
        self.options = options
        random = SplitMix64(seed: options.seed)
        nodeIDs = (1...options.nodeCount).map { NodeID("n\($0)") }
        ring = Ring(partitionCount: options.partitionCount, members: nodeIDs.map { RingMember($0) })
        directory = options.engine.isPersistent ? TemporaryDirectory("cairn-sim") : nil
        for id in nodeIDs {
            nodes[id] = try SimulatedNode(id: id, ring: ring, engine: options.engine, directory: directory?.child(id.name))
        }
        clients = (0..<options.clientCount).map { SimulatedClient(index: $0, remaining: options.operationsPerClient) }
    }

    /// Runs chaos, then heals and verifies; returns every checker failure (none for a correct core).
    public func run() throws -> [String] {
        for id in nodeIDs { try startNode(id) }
        for client in clients.indices { queue.push(.clientNext(client: client), at: UInt64(random.next(below: 50))) }
        queue.push(.fault, at: options.faultIntervalMilliseconds)
        try runUntil { self.now >= self.options.chaosMilliseconds && self.clients.allSatisfy(\.isDone) }
        try heal()
        // Let hints reach their owners.
        try runUntil { self.nodes.values.allSatisfy { $0.core?.hints.isEmpty ?? true } }
        var failures: [String] = []
        let undelivered = nodeIDs.compactMap { id in nodes[id]?.core.map { ($0.hints.count, id) } }.filter { $0.0 > 0 }
        if !undelivered.isEmpty { failures.append("hints never delivered: \(undelivered)") }
        // First read of every key at R=N repairs replicas; the second, after tombstones' grace, is checked.
        _ = try verificationReads()
        try runFor(options.tombstoneGraceMilliseconds + 1_000)
        let finalValues = try verificationReads()
        try runFor(1_000)
        failures += Checkers.check(history: history, finalValues: finalValues, keys: keys)
        failures += try Checkers.replicasAgree(self)
        return failures
    }

    var keys: [String] { (0..<options.keyCount).map { "key-\($0)" } }

    // MARK: Event loop

    func runUntil(_ done: () -> Bool) throws {
        let deadline = now + Self.phaseMillisecondsMax
        while !done() {
            guard let (time, event) = queue.pop() else { return }
            guard time <= deadline else { throw SimulationError.stalled(at: now) }
            now = max(now, time)
            try handle(event)
        }
    }

    func runFor(_ milliseconds: UInt64) throws {
        let end = now + milliseconds
        try runUntil { self.queue.isEmpty || self.peekTimeBeyond(end) }
        now = max(now, end)
    }

    private func peekTimeBeyond(_ end: UInt64) -> Bool {
        guard let next = queue.pop() else { return true }
        queue.push(next.event, at: next.time)
        return next.time > end
    }

    func handle(_ event: Event) throws {
        switch event {
        case .deliver(let from, let to, let message):
            guard let node = nodes[to], node.core != nil else {
                log("drop \(from)→\(to) \(describe(message)) (down)")
                return
            }
            log("\(from)→\(to) \(describe(message))")
            try perform(node.core!.onMessage(message, from: from, now: now), at: node)
        case .timer(let id, let incarnation, let timer):
            guard let node = nodes[id], node.core != nil, node.incarnation == incarnation else { return }
            if case .hintDelivery = timer {} else { log("\(id) timer \(timer)") }
            try perform(node.core!.onTimer(timer, now: now), at: node)
        case .reply(let client, let reply):
            clientReceived(reply, client: client)
        case .clientNext(let client):
            try clientAct(client)
        case .clientTimeout(let client, let requestID):
            clientTimedOut(client, requestID: requestID)
        case .fault:
            try injectFault()
        }
    }

    /// Performs a node's directives in order: storage first as listed, then sends, replies and timers.
    func perform(_ directives: [Directive], at node: SimulatedNode) throws {
        for directive in directives {
            switch directive {
            case .send(let to, let message):
                send(message, from: node.id, to: to)
            case .reply(let reply):
                let client = Int(reply.id >> 32)
                queue.push(.reply(client: client, reply), at: now + 1)
            case .startTimer(let timer, let after):
                queue.push(.timer(node: node.id, incarnation: node.incarnation, timer), at: now + after)
            case .persist, .remove, .persistHint, .removeHint:
                try node.store.perform(directive)
            case .log(let line):
                log(line)
            }
        }
    }

    func send(_ message: Message, from: NodeID, to: NodeID) {
        precondition(from != to, "nodes never message themselves")
        if let fromGroup = groups[from], let toGroup = groups[to], fromGroup != toGroup {
            log("cut \(from)→\(to) \(describe(message))")
            return
        }
        if chaos, random.nextUnit() < options.lossRate {
            log("lose \(from)→\(to) \(describe(message))")
            return
        }
        let copies = chaos && random.nextUnit() < options.duplicationRate ? 2 : 1
        for _ in 0..<copies {
            let delay = 1 + UInt64(random.next(below: Int(options.messageDelayMillisecondsMax)))
            queue.push(.deliver(from: from, to: to, message), at: now + delay)
        }
    }

    // MARK: Nodes and faults

    func startNode(_ id: NodeID) throws {
        guard let node = nodes[id] else { return }
        try node.open()
        // The shell's start call: the memory engine keeps every write across a crash (as a sync table does), so
        // its node keeps its dot incarnation; persistent engines run buffered and crash uncleanly, so they bump it.
        // A new or wiped disk starts from a deterministic fresh counter: the true time, scaled past every count-up.
        let counters = try node.store.beginStart(
            wallClockMilliseconds: now, bufferedTables: node.engine.isPersistent ? [Simulation.table] : [],
            freshCounter: 1 + now * 1_000)
        var configuration = options.nodeConfiguration(id: id, incarnation: counters.incarnation, ring: ring)
        configuration.start = counters.start
        var core = ReplicaNode(configuration: configuration, storage: node.store, hints: try node.store.storedHints())
        let directives = core.start(now: now)
        node.core = core
        log("start \(id) incarnation \(counters.incarnation) start \(counters.start)")
        try perform(directives, at: node)
    }

    func crashNode(_ id: NodeID) throws {
        guard let node = nodes[id], node.core != nil else { return }
        log("crash \(id)")
        try node.crash()
    }

    func injectFault() throws {
        guard chaos, now < options.chaosMilliseconds else { return }
        let up = nodeIDs.filter { nodes[$0]?.core != nil }
        let down = nodeIDs.filter { nodes[$0]?.core == nil }
        switch random.next(below: 4) {
        case 0 where down.count < 2 && !up.isEmpty:
            try crashNode(up[random.next(below: up.count)])
        case 1 where !down.isEmpty:
            let id = down[random.next(below: down.count)]
            nodes[id]?.incarnation += 1
            try startNode(id)
        case 2:
            groups = Dictionary(uniqueKeysWithValues: nodeIDs.map { ($0, random.next(below: 2)) })
            log("partition \(nodeIDs.map { "\($0):\(groups[$0]!)" }.joined(separator: " "))")
        default:
            if !groups.isEmpty { log("heal partition") }
            groups = [:]
        }
        queue.push(.fault, at: now + 1 + UInt64(random.next(below: Int(options.faultIntervalMilliseconds * 2))))
    }

    /// Ends the chaos: the network is whole and reliable again and every node is up.
    func heal() throws {
        chaos = false
        groups = [:]
        log("heal all")
        for id in nodeIDs where nodes[id]?.core == nil {
            nodes[id]?.incarnation += 1
            try startNode(id)
        }
    }

    // MARK: Trace

    func log(_ line: String) {
        let entry = "t=\(now) \(line)"
        for byte in entry.utf8 {
            traceDigest ^= UInt64(byte)
            traceDigest = traceDigest &* 0x100_0000_01B3
        }
        traceLineCount += 1
        trace.append(entry)
        if trace.count > Self.traceLinesMax { trace.removeFirst(trace.count - Self.traceLinesMax) }
    }

    func describe(_ message: Message) -> String {
        switch message {
        case .replicaPut(let id, _, let key, _, let hintFor):
            "put \(id) \(text(key))" + (hintFor.map { " hint for \($0)" } ?? "")
        case .replicaPutAck(let id): "put-ack \(id)"
        case .replicaGet(let id, _, let key): "get \(id) \(text(key))"
        case .replicaGetReply(let id, let data): "get-reply \(id) \(data == nil ? "absent" : "\(data!.count) B")"
        case .hintDelivery(_, let key, _): "hint \(text(key))"
        case .hintAck(_, let key, _): "hint-ack \(text(key))"
        case .reap(_, let key, _): "reap \(text(key))"
        case .coordinate(let id, let request): "coordinate \(id) \(text(request.key)) #\(request.id & 0xFFFF_FFFF)"
        case .coordinateAccepted(let id): "coordinate-accepted \(id)"
        case .coordinated(let id, let reply): "coordinated \(id) \(describe(reply))"
        case .ping(let id): "ping \(id)"
        case .pong(let id): "pong \(id)"
        }
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// Why a run stopped early.
public enum SimulationError: Error, CustomStringConvertible {
    case stalled(at: UInt64)

    public var description: String {
        switch self {
        case .stalled(let time): "a phase ran past \(Simulation.phaseMillisecondsMax) ms of virtual time at t=\(time)"
        }
    }
}
