import CairnNode
import CairnCore
import CairnReplication

/// Crashes, restarts, partitions, clock steps and disk faults during the chaos phase.
extension Simulation {
    func startNode(_ id: NodeID) throws {
        guard let node = nodes[id] else { return }
        try node.open()
        // The shell's start call. A new or wiped disk starts from a deterministic fresh counter: the true time,
        // scaled past every count-up.
        let prepared: (core: ReplicaNode, counters: NodeStart)
        do {
            prepared = try node.shell.prepareStart(
                over: node.store, configuration: options.nodeConfiguration(id: id, incarnation: 1, ring: ring),
                wallClockMilliseconds: localTime(id),
                // A sync table loses nothing at a crash or power loss, so its node keeps its dot actor (the rule
                // the durability and dot-reuse checkers then test); a buffered one that can lose writes bumps it.
                bufferedTables: options.durability == .buffered && (node.engine.isPersistent || node.losesUnsyncedWrites)
                    ? [Simulation.table] : [],
                freshCounter: 1 + now * 1_000)
        } catch {
            log("\(id) cannot start: \(error)")
            return
        }
        let (core, counters) = prepared
        log("start \(id) incarnation \(counters.incarnation) start \(counters.start)")
        try node.shell.start(core, store: node.store, now: localTime(id))
    }

    /// Crashes a node. With `powerLoss` on, a crash during chaos is a power loss half the time: the writes
    /// since the node's last sync are gone (and with `tornWrites` the last may be torn).
    func crashNode(_ id: NodeID) throws {
        guard let node = nodes[id], node.core != nil else { return }
        let powerLoss = chaos && options.faults.powerLoss && random.next(below: 2) == 0
        let torn = powerLoss && options.faults.tornWrites && random.next(below: 3) == 0
        log("crash \(id)\(powerLoss ? " losing unsynced writes" : "")\(torn ? ", tearing the last" : "")")
        try node.crash(losingUnsynced: powerLoss, tearingLast: torn, now: now)
        if powerLoss && node.losesUnsyncedWrites { noteWritesDestroyed() }
    }

    var nodesDown: Int { nodeIDs.count { nodes[$0]?.core == nil } }

    /// The time node `id` reads from its own clock.
    func localTime(_ id: NodeID) -> UInt64 { clocks[id]?.reading(at: now) ?? now }

    func injectFault() throws {
        guard chaos, now < options.chaosMilliseconds else { return }
        let up = nodeIDs.filter { nodes[$0]?.core != nil }
        let down = nodeIDs.filter { nodes[$0]?.core == nil }
        // Actor churn: mostly crashes and restarts (each start a new one-shot actor) and the primaries' cut-off.
        let roll = options.churn ? [0, 1, 2, 3, 4, 4, 4, 7][random.next(below: 8)] : random.next(below: 8)
        if roll < 2, down.count < options.nodesDownMax, !up.isEmpty {
            try crashNode(up[random.next(below: up.count)])
        } else if roll < 4, !down.isEmpty {
            let id = down[random.next(below: down.count)]
            if options.faults.wipedDisks, random.next(below: 4) == 0 {
                log("wipe the data directory of \(id)")
                try nodes[id]?.wipe(now: now)
                noteWritesDestroyed()
            }
            try startNode(id)
        } else if roll == 4, options.faults.limitWorkloads, random.next(below: 2) == 0 {
            // Cut the first key's primaries off from everyone else: writes through the others pile up as
            // one-shot writers and hints (version-vector entries and siblings).
            let primaries = Set(ring.preferenceList(for: Array(keys[0].utf8), count: options.table.replicas))
            groups = Dictionary(uniqueKeysWithValues: nodeIDs.map { ($0, primaries.contains($0) ? 1 : 0) })
            log("partition the primaries of \(keys[0]) off: \(primaries.sorted().map(\.name).joined(separator: ","))")
        } else if roll == 4 {
            groups = Dictionary(uniqueKeysWithValues: nodeIDs.map { ($0, random.next(below: 2)) })
            log("partition \(nodeIDs.map { "\($0):\(groups[$0]!)" }.joined(separator: " "))")
        } else if roll == 5, options.clockSkewMillisecondsMax > 0 {
            let id = nodeIDs[random.next(below: nodeIDs.count)]
            let step = UInt64(random.next(below: Int(options.clockSkewMillisecondsMax) + 1))
            clocks[id]?.stepBack(step)
            log("clock of \(id) steps back \(step) ms")
        } else if roll == 6 {
            try injectDiskFault()
        } else {
            if !groups.isEmpty { log("heal partition") }
            groups = [:]
        }
        queue.push(.fault, at: now + 1 + UInt64(random.next(below: Int(options.faultIntervalMilliseconds * 2))))
    }

    /// A corrupted stored copy, or a disk that fails reads or writes for a while.
    private func injectDiskFault() throws {
        let id = nodeIDs[random.next(below: nodeIDs.count)]
        guard let node = nodes[id] else { return }
        if options.faults.corruptCopies, random.next(below: 2) == 0 {
            let key = keys[random.next(below: keys.count)]
            log("corrupt the stored copy of \(key) at \(id)")
            try node.corrupt(key: Array(key.utf8), with: [0xFF, 0x00, UInt8(random.next(below: 256))], now: now)
            noteWritesDestroyed()
        } else if options.faults.diskFailures, let disk = node.tableDisk {
            let operation: SimulatedDisk.Operation = random.next(below: 2) == 0 ? .read : .write
            log("disk of \(id) fails \(operation)s")
            disk.failing.insert(operation)
            node.hintDisk?.failing.insert(operation)
            queue.push(.diskRepaired(node: id), at: now + 100 + UInt64(random.next(below: 1_000)))
        }
    }

    /// Ends the chaos: the network is whole and reliable again, every disk works, and every node is up.
    func heal() throws {
        chaos = false
        groups = [:]
        log("heal all")
        for id in nodeIDs {
            nodes[id]?.tableDisk?.failing = []
            nodes[id]?.hintDisk?.failing = []
        }
        for id in nodeIDs where nodes[id]?.core == nil {
            try startNode(id)
        }
    }
}

/// A node's own clock: an offset, a drift and the backward steps it took, over the simulation's true time.
struct NodeClock {
    var offsetMilliseconds: Int64
    var driftPartsPerMillion: Int64

    static func random(_ random: inout SplitMix64, skewMax: UInt64, driftMax: UInt64) -> NodeClock {
        let skew = Int64(random.next(below: Int(2 * skewMax) + 1)) - Int64(skewMax)
        let drift = Int64(random.next(below: Int(2 * driftMax) + 1)) - Int64(driftMax)
        return NodeClock(offsetMilliseconds: skew, driftPartsPerMillion: drift)
    }

    func reading(at now: UInt64) -> UInt64 {
        let time = Int64(now) + offsetMilliseconds + Int64(now) * driftPartsPerMillion / 1_000_000
        return UInt64(max(0, time))
    }

    mutating func stepBack(_ milliseconds: UInt64) { offsetMilliseconds -= Int64(milliseconds) }
}

extension Directive {
    /// Whether the shell performs this directive on the node's disk.
    var isStorage: Bool {
        switch self {
        case .persist, .remove, .persistHint, .removeHint, .quarantine: true
        case .send, .reply, .startTimer, .log: false
        }
    }
}
