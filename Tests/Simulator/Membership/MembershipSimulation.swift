import CairnCore
import CairnMembership
import CairnNode
import CairnReplication
import Foundation

/// A seeded, deterministic world of whole cluster nodes (`ClusterNode`: gossip, failure detector, transfers) under
/// client load while the cluster changes shape: joins and a leave (staged, planned and committed through
/// `onAdmin`), crashes of transfer senders and receivers (restarted from their stored state and transfer
/// records), partitions, a wiped disk, and message loss, delay and reordering. A run is a pure function of its seed.
public final class MembershipSimulation {
    public static let table = "kv"
    /// Long enough that no tombstone is reaped during a run: every deleted key keeps a copy to check.
    static let tombstoneGraceMilliseconds: UInt64 = 3_600_000
    /// How often each node looks for partitions it stores but does not hold (shorter than a server's 10 s, so a
    /// run goes quiet sooner).
    static let ownershipCheckIntervalMilliseconds: UInt64 = 1_000
    static let traceLinesMax = ProcessInfo.processInfo.environment["CAIRN_SIM_TRACE_ALL"] == "1" ? Int.max : 300
    /// `CAIRN_SIM_TRACE_KEY=key-4` traces every client request and reply for that key and every message delivered
    /// that names it (a debugging aid: the run is the same, only its trace grows).
    static let tracedKey = ProcessInfo.processInfo.environment["CAIRN_SIM_TRACE_KEY"].map { Array($0.utf8).description }

    enum Event {
        case deliver(from: NodeID, to: NodeID, NodeMessage)
        case timer(node: NodeID, generation: UInt64, NodeTimer)
        case clientNext(client: Int)
        case clientTimeout(client: Int, requestID: UInt64)
        case clientFollowUp(client: Int, key: String, context: [UInt8], saw: Set<String>)
        case fault
        case restart(NodeID)
        case healPartition
        /// A new node starts and asks to join (committed by `admin` once gossip brought it to the admin node).
        case join(NodeID)
        case commitJoin(NodeID)
        case commitLeave(NodeID)
    }

    public let options: MembershipOptions
    let tableSettings: TableSettings
    /// Where every admin action is staged and committed.
    let adminNode: NodeID = "n1"
    var nodes: [NodeID: MembershipNode] = [:]
    var random: SplitMix64
    var now: UInt64 = 0
    var queue = EventQueue<Event>()
    var chaos = false
    /// Partition group of each node while the network is split; empty when whole.
    var groups: [NodeID: Int] = [:]
    /// Membership changes not committed yet; the run does not heal before they are.
    var pendingChanges: Set<NodeID> = []
    var wipedOne = false
    /// Values whose every copy on disk (stored or hinted) was on a disk when it was wiped: the fault destroyed them.
    var destroyedByWipes: Set<String> = []
    /// Keys a coordinator logged as written without a primary and with no fallback to hold a hint for it (every
    /// ring member was a primary, or every other one suspected), each with the primaries it missed: only a read
    /// repairs their copies.
    public internal(set) var writtenWithoutPrimaryOrFallback: [String: Set<NodeID>] = [:]
    var clients: [MembershipClient] = []
    var clientOfRequest: [UInt64: Int] = [:]
    var nextRequestID: UInt64 = 1
    var verificationReplies: [UInt64: ClientReply] = [:]
    public internal(set) var history = ClientHistory()
    public internal(set) var trace: [String] = []
    public internal(set) var traceDigest: UInt64 = 0xCBF2_9CE4_8422_2325
    /// Counts for the report: joins and leaves committed, crashes during transfers, partitions, wipes, writes acknowledged.
    public internal(set) var counts: [String: Int] = [:]
    var failures: [String] = []
    /// The event being handled, for trace lines that name what caused a step.
    var currentEvent: Event?
    /// Every failure of the run, once `runMembershipSeed` ran it (checkers' and the run's own).
    public internal(set) var failureLines: [String] = []

    public init(_ options: MembershipOptions) {
        self.options = options
        random = SplitMix64(seed: options.seed)
        let quorum = options.replicas / 2 + 1
        tableSettings = TableSettings(replicas: options.replicas, readQuorum: quorum, writeQuorum: quorum)
        clients = (0..<options.clientCount).map { MembershipClient(index: $0, remaining: options.operationsPerClient) }
    }

    deinit {
        for node in nodes.values { node.releaseShell() }
    }

    var founders: [NodeID] { (1...options.foundingNodes).map { NodeID("n\($0)") } }
    var keys: [String] { (0..<options.keyCount).map { "key-\($0)" } }
    var upNodes: [NodeID] { nodes.keys.sorted().filter { nodes[$0]!.isUp } }

    /// Forms the cluster, runs the load while it changes shape, heals, and returns every checker failure.
    public func run() throws -> [String] {
        try formCluster()
        chaos = true
        let start = now
        for client in clients.indices { queue.push(.clientNext(client: client), at: now + UInt64(random.next(below: 50))) }
        queue.push(.fault, at: now + options.faultIntervalMilliseconds)
        for index in 0..<options.joiningNodes {
            let joiner = NodeID("n\(options.foundingNodes + 1 + index)")
            pendingChanges.insert(joiner)
            queue.push(.join(joiner), at: start + 400 + UInt64(index) * 2_500 + UInt64(random.next(below: 800)))
        }
        if options.leaves {
            let leaver = NodeID("n\(options.foundingNodes)")
            pendingChanges.insert(leaver)
            queue.push(.commitLeave(leaver), at: start + 1_200 + UInt64(random.next(below: 2_000)))
        }
        try runUntil("the load") { self.clients.allSatisfy(\.isDone) && self.pendingChanges.isEmpty }
        try heal()
        return failures + (try MembershipCheckers.check(self))
    }

    /// n1 founds the cluster; the other founders join it through one staged commit, without faults.
    func formCluster() throws {
        for id in founders { try addNode(id) }
        try runUntil("the founders' gossip") { self.admin.membership?.gossip.state.members.count == self.founders.count }
        try performAdmin { gossip throws(GossipError) in
            for id in self.founders.dropFirst() { try gossip.stageJoin(id) }
            return try gossip.commit()
        }
        try runUntil("the first ring") { self.founders.allSatisfy { self.nodes[$0]!.node?.replica.ringEpoch == 2 } }
        log("cluster formed: \(founders.map(\.name).joined(separator: " "))")
    }

    var admin: MembershipNode { nodes[adminNode]! }

    func addNode(_ id: NodeID) throws {
        let seeds = id == adminNode ? [] : founders.filter { $0 != id }
        let node = MembershipNode(simulation: self, id: id, seeds: seeds)
        nodes[id] = node
        try node.start(now: now)
    }

    /// Runs an admin action on the admin node; false (logged) when it is down or the action is refused.
    @discardableResult
    func performAdmin(_ action: (inout GossipNode) throws(GossipError) -> [GossipDirective]) throws -> Bool {
        guard admin.isUp else { return false }
        do {
            return try admin.shell.onAdmin(now: now, action) == .performed
        } catch let error as GossipError {
            log("admin refused: \(error)")
            return false
        }
    }

    // MARK: Event loop

    func runUntil(_ phase: String, _ done: () -> Bool) throws {
        let deadline = now + MembershipOptions.phaseMillisecondsMax
        while !done() {
            guard let (time, event) = queue.pop() else { throw MembershipSimulationError.stalled(phase: phase, at: now) }
            guard time <= deadline else { throw MembershipSimulationError.stalled(phase: phase, at: now) }
            now = max(now, time)
            try handle(event)
        }
    }

    func runFor(_ milliseconds: UInt64) throws {
        let end = now + milliseconds
        try runUntil("a pause") { (self.queue.nextTime ?? .max) > end }
        now = end
    }

    func handle(_ event: Event) throws {
        currentEvent = event
        defer { currentEvent = nil }
        switch event {
        case .deliver(let from, let to, let message):
            guard let node = nodes[to], node.isUp else { return }
            if let traced = Self.tracedKey, case let text = String(describing: message), text.contains(traced) {
                log("deliver \(from) → \(to): \(text.replacingOccurrences(of: traced, with: "KEY").prefix(400))")
            }
            try node.shell.onMessage(message, from: from, now: now)
        case .timer(let id, let generation, let timer):
            guard let node = nodes[id], node.isUp else { return }
            try node.shell.onTimer(timer, generation: generation, now: now)
        case .clientNext(let client):
            try clientAct(client)
        case .clientTimeout(let client, let requestID):
            clientTimedOut(client, requestID: requestID)
        case .clientFollowUp(let client, let key, let context, let saw):
            try clientFollowUp(client, key: key, context: context, saw: saw)
        case .fault:
            try injectFault()
        case .restart(let id):
            try restart(id)
        case .healPartition:
            groups = [:]
            log("partition healed")
        case .join(let id):
            log("\(id) starts and asks to join")
            try addNode(id)
            queue.push(.commitJoin(id), at: now + 300)
        case .commitJoin(let id):
            try commitJoin(id)
        case .commitLeave(let id):
            try commitLeave(id)
        }
    }

    func commitJoin(_ id: NodeID) throws {
        let known = admin.membership?.gossip.state.members[id]?.status == .joining
        if known, try performAdmin({ gossip throws(GossipError) in
            try gossip.stageJoin(id)
            _ = try gossip.plan()
            return try gossip.commit()
        }) {
            log("admin committed the join of \(id)")
            counts["joins", default: 0] += 1
            pendingChanges.remove(id)
        } else {
            queue.push(.commitJoin(id), at: now + 300)
        }
    }

    func commitLeave(_ id: NodeID) throws {
        if try performAdmin({ gossip throws(GossipError) in
            try gossip.stageLeave(id)
            return try gossip.commit()
        }) {
            log("admin committed the leave of \(id)")
            counts["leaves", default: 0] += 1
            pendingChanges.remove(id)
        } else {
            queue.push(.commitLeave(id), at: now + 300)
        }
    }

    func send(_ message: NodeMessage, from: NodeID, to: NodeID) {
        guard from != to else {
            // The shell sends nothing to its own node: a wiring bug, reported as a failure of the run.
            return failures.append("\(from) sent itself \(String(describing: message).prefix(160))")
        }
        if let fromGroup = groups[from], let toGroup = groups[to], fromGroup != toGroup { return }
        if chaos, random.nextUnit() < options.lossRate { return }
        let delay = chaos ? 1 + UInt64(random.next(below: Int(options.messageDelayMillisecondsMax))) : 1
        queue.push(.deliver(from: from, to: to, message), at: now + delay)
    }

    func schedule(_ timer: NodeTimer, at node: NodeID, after: UInt64, generation: UInt64) {
        queue.push(.timer(node: node, generation: generation, timer), at: now + after)
    }

    // MARK: Trace

    func log(_ line: String) {
        let entry = "t=\(now) \(line)"
        for byte in entry.utf8 {
            traceDigest ^= UInt64(byte)
            traceDigest = traceDigest &* 0x100_0000_01B3
        }
        trace.append(entry)
        if trace.count > Self.traceLinesMax { trace.removeFirst(trace.count - Self.traceLinesMax) }
    }
}

/// Why a membership run stopped early.
public enum MembershipSimulationError: Error, CustomStringConvertible {
    case stalled(phase: String, at: UInt64)

    public var description: String {
        switch self {
        case .stalled(let phase, let time):
            "\(phase) did not finish within \(MembershipOptions.phaseMillisecondsMax) ms of virtual time (t=\(time))"
        }
    }
}

