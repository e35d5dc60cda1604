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
        /// A node's timer, with the shell generation (start) it was scheduled in.
        case timer(node: NodeID, generation: UInt64, TimerID)
        case reply(client: Int, ClientReply)
        case clientNext(client: Int)
        case clientTimeout(client: Int, requestID: UInt64)
        case fault
        /// A node's periodic fsync of its write-back cache.
        case sync(node: NodeID)
        /// A node's failing disk works again.
        case diskRepaired(node: NodeID)
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
    /// The key each get asked for, by request id, so its reply can be checked.
    var readKeys: [UInt64: String] = [:]
    /// The pruned and reaped history of a read's key when the read began (see `checkRead`).
    var reapedAtReadStart: [UInt64: VersionVector] = [:]
    /// The context of the last verification read of each key.
    var verificationContexts: [String: [UInt8]] = [:]
    public internal(set) var trace: [String] = []
    /// Number of trace lines ever written (the kept ones are the last `traceLinesMax`).
    public internal(set) var traceLineCount = 0
    /// A running hash of every trace line, to show two runs of a seed are identical.
    public internal(set) var traceDigest: UInt64 = 0xCBF2_9CE4_8422_2325
    let directory: TemporaryDirectory?
    /// Each node's own clock (skew, drift, backward steps).
    var clocks: [NodeID: NodeClock] = [:]
    /// What the checkers learned during the run: each write's dot, and what reads have seen.
    var observed = Observations()
    /// How close the run came to the core's limits.
    public internal(set) var limits = LimitsReached()
    /// Stored copies a prune shrank during the run (to show pruning is exercised).
    public internal(set) var prunedCopyCount = 0
    /// Checker failures found during the run (the final checks add theirs).
    var failuresDuringRun: [String] = []

    public init(_ options: SimulationOptions) throws {
        self.options = options
        random = SplitMix64(seed: options.seed)
        nodeIDs = (1...options.nodeCount).map { NodeID("n\($0)") }
        ring = Ring(partitionCount: options.partitionCount, members: nodeIDs.map { RingMember($0) })
        directory = options.engine.isPersistent ? TemporaryDirectory("cairn-sim") : nil
        for id in nodeIDs {
            nodes[id] = try SimulatedNode(
                id: id, ring: ring, engine: options.engine, directory: directory?.child(id.name),
                losesUnsyncedWrites: options.faults.powerLoss && options.durability == .buffered)
            clocks[id] = NodeClock.random(&random, skewMax: options.clockSkewMillisecondsMax, driftMax: options.clockDriftPartsPerMillionMax)
        }
        clients = (0..<options.clientCount).map { SimulatedClient(index: $0, remaining: options.operationsPerClient) }
        for id in nodeIDs { nodes[id]!.attach(SimulatedNodePorts(simulation: self, id: id)) }
    }

    /// Runs chaos, then heals and verifies; returns every checker failure (none for a correct core).
    public func run() throws -> [String] {
        for id in nodeIDs { try startNode(id) }
        for client in clients.indices { queue.push(.clientNext(client: client), at: UInt64(random.next(below: 50))) }
        queue.push(.fault, at: options.faultIntervalMilliseconds)
        if options.faults.powerLoss {
            for id in nodeIDs { queue.push(.sync(node: id), at: UInt64(random.next(below: Int(options.syncIntervalMilliseconds)))) }
        }
        try runUntil { self.now >= self.options.chaosMilliseconds && self.clients.allSatisfy(\.isDone) }
        try heal()
        // Let hints reach their owners.
        try runUntil { self.nodes.values.allSatisfy { $0.core?.hints.isEmpty ?? true } }
        var failures = try Checkers.hintsDelivered(self)
        // First read of every key at R=N repairs replicas; the second, after the grace of tombstones and of the
        // version-vector prunes the first one scheduled, is checked.
        _ = try verificationReads()
        try runFor(options.pruneGraceMilliseconds + 1_000)
        let finalValues = try verificationReads()
        try runFor(1_000)
        failures += Checkers.check(self, finalValues: finalValues)
        failures += try Checkers.replicasAgree(self)
        if options.faults.limitWorkloads { failures += try keysStayWritable() }
        return failuresDuringRun + failures
    }

    var keys: [String] { (0..<options.keyCount).map { "key-\($0)" } }

    // MARK: Event loop

    func runUntil(stalledAfter milliseconds: UInt64 = Simulation.phaseMillisecondsMax, _ done: () -> Bool) throws {
        let deadline = now + milliseconds
        while !done() {
            guard let (time, event) = queue.pop() else { return }
            guard time <= deadline else { throw SimulationError.stalled(at: now) }
            now = max(now, time)
            try handle(event)
        }
    }

    func runFor(_ milliseconds: UInt64) throws {
        let end = now + milliseconds
        try runUntil(stalledAfter: max(milliseconds + 1, Self.phaseMillisecondsMax)) { self.queue.isEmpty || self.peekTimeBeyond(end) }
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
            if case .replica(.prune) = message { node.ports.handlingPrune = true }
            defer { node.ports.handlingPrune = false }
            let before = dotBase(at: node, for: message)
            node.ports.issuing = { directives in
                guard case .coordinator(.coordinate(_, let request)) = message else { return nil }
                return self.newDot(of: request, at: to, base: before, in: directives)
            }
            try node.shell.onMessage(message, from: from, now: localTime(to))
        case .timer(let id, let generation, let timer):
            guard let node = nodes[id], node.core != nil, node.shell.generation == generation else { return }
            if case .hints(.delivery) = timer {} else { log("\(id) timer \(timer)") }
            if case .coordinator(.prune) = timer { node.ports.handlingPrune = true }
            defer { node.ports.handlingPrune = false }
            // A forward no primary took on is coordinated here, under a dot issued now.
            let forwarded = forwardedWrite(at: id, on: timer)
            let before = forwarded.flatMap { dotBase(at: node, $0) }
            node.ports.issuing = { directives in forwarded.flatMap { self.newDot(of: $0, at: id, base: before, in: directives) } }
            try node.shell.onTimer(timer, generation: generation, now: localTime(id))
        case .reply(let client, let reply):
            clientReceived(reply, client: client)
        case .clientNext(let client):
            try clientAct(client)
        case .clientTimeout(let client, let requestID):
            clientTimedOut(client, requestID: requestID)
        case .fault:
            try injectFault()
        case .sync(let id):
            if let node = nodes[id], node.core != nil, !(node.tableDisk?.failing.contains(.write) ?? false) {
                try node.sync(now: now)
            }
            queue.push(.sync(node: id), at: now + options.syncIntervalMilliseconds)
        case .diskRepaired(let id):
            log("disk of \(id) works again")
            nodes[id]?.tableDisk?.failing = []
            nodes[id]?.hintDisk?.failing = []
        }
    }

    /// Where to crash a node part-way through `directives` (an index to stop before), or nil.
    func crashPoint(in directives: [Directive], at node: SimulatedNode) -> Int? {
        guard chaos, options.faults.crashBetweenDirectives, directives.count >= 2, now < options.chaosMilliseconds,
            directives.contains(where: \.isStorage), nodesDown < options.nodesDownMax,
            random.nextUnit() < Self.crashBetweenDirectivesRate
        else { return nil }
        return 1 + random.next(below: directives.count - 1)
    }

    /// Chance that a node crashes part-way through a directive list that stores something.
    static let crashBetweenDirectivesRate = 0.01

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
        case .replica(.put(let id, _, let key, _, let hintFor)):
            "put \(id) \(text(key))" + (hintFor.map { " hint for \($0)" } ?? "")
        case .coordinator(.putAck(let id)): "put-ack \(id)"
        case .replica(.get(let id, _, let key)): "get \(id) \(text(key))"
        case .coordinator(.getReply(let id, let data)): "get-reply \(id) \(data == nil ? "absent" : "\(data!.count) B")"
        case .hints(.delivery(_, let key, _)): "hint \(text(key))"
        case .hints(.ack(_, let key, _)): "hint-ack \(text(key))"
        case .replica(.reap(_, let key, _)): "reap \(text(key))"
        case .replica(.prune(_, let key, let entries)): "prune \(text(key)) \((try? CausalContext.decode(entries))?.description ?? "?")"
        case .coordinator(.coordinate(let id, let request)): "coordinate \(id) \(text(request.key)) #\(request.id & 0xFFFF_FFFF)"
        case .coordinator(.coordinateAccepted(let id)): "coordinate-accepted \(id)"
        case .coordinator(.coordinated(let id, let reply)): "coordinated \(id) \(describe(reply))"
        case .coordinator(.ping(let id)): "ping \(id)"
        case .coordinator(.pong(let id)): "pong \(id)"
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
