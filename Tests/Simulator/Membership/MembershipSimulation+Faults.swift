import CairnCore
import CairnMembership
import CairnNode
import CairnReplication

/// The faults of a membership run: a node crashed while it sends or receives a transfer (restarted later from its
/// stored cluster state and transfer records, its disk perhaps wiped first), and partitions that cut gossip.
extension MembershipSimulation {
    /// Chance, at each fault tick, of crashing a node busy with a transfer, and of splitting the network.
    static let transferCrashRate = 0.45
    static let partitionRate = 0.3

    func injectFault() throws {
        guard chaos else { return }
        defer { queue.push(.fault, at: now + options.faultIntervalMilliseconds) }
        let roll = random.nextUnit()
        if roll < Self.transferCrashRate {
            try crashDuringTransfer()
        } else if roll < Self.transferCrashRate + Self.partitionRate, groups.isEmpty {
            split()
        }
    }

    /// Crashes one node that is sending or receiving a transfer (at most one node down at a time); it restarts
    /// within 1.5 s. In a seed that wipes a disk, the first such crash of a node other than the admin wipes it.
    func crashDuringTransfer() throws {
        guard upNodes.count == nodes.count else { return }
        let busy = upNodes.filter { id in
            guard let membership = nodes[id]!.membership else { return false }
            return membership.sender.transfers.contains { $0.status != .done } || membership.receiver.transfers.contains { $0.status != .done }
        }
        guard !busy.isEmpty else { return }
        let victim = busy[random.next(below: busy.count)]
        let sending = nodes[victim]!.membership!.sender.transfers.contains { $0.status != .done }
        nodes[victim]!.crash()
        counts[sending ? "sender crashes" : "receiver crashes", default: 0] += 1
        var wiped = ""
        if options.wipesADisk, !wipedOne, victim != adminNode {
            try wipeDisk(of: victim)
            wipedOne = true
            counts["wipes", default: 0] += 1
            wiped = ", disk wiped"
        }
        log("crash \(victim) (\(sending ? "sending" : "receiving") a transfer\(wiped))")
        queue.push(.restart(victim), at: now + 200 + UInt64(random.next(below: 1_300)))
    }

    /// Wipes the disk of a crashed node, and notes the values the wipe destroyed: those its disk held that no
    /// other disk holds (a stored copy or a hint). Only these may be missing after the heal because of the wipe; a
    /// value another disk still held must survive (a transfer or drop that loses it then is a bug).
    func wipeDisk(of victim: NodeID) throws {
        let held = try nodes[victim]!.valuesOnDisk(of: keys)
        nodes[victim]!.wipe()
        var survivors = Set<String>()
        for (id, node) in nodes where id != victim { survivors.formUnion(try node.valuesOnDisk(of: keys)) }
        let destroyed = held.subtracting(survivors)
        destroyedByWipes.formUnion(destroyed)
        if !destroyed.isEmpty { log("the wipe of \(victim) destroyed the only copies of \(destroyed.sorted())") }
    }

    func restart(_ id: NodeID) throws {
        guard let node = nodes[id], !node.isUp else { return }
        log("restart \(id)")
        try node.start(now: now)
    }

    /// Splits the nodes into two groups for 0.3–1.5 s: gossip, probes, transfers and replication are cut between them.
    func split() {
        let ids = nodes.keys.sorted()
        guard ids.count >= 2 else { return }
        let cut = 1 + random.next(below: ids.count - 1)
        let shuffled = ids.shuffled(using: &random)
        for (index, id) in shuffled.enumerated() { groups[id] = index < cut ? 0 : 1 }
        counts["partitions", default: 0] += 1
        log("partition \(shuffled.prefix(cut).map(\.name)) | \(shuffled.dropFirst(cut).map(\.name))")
        queue.push(.healPartition, at: now + 300 + UInt64(random.next(below: 1_200)))
    }

    /// Ends the faults: the network is whole and lossless again, every crashed node restarts, and the run goes on
    /// until the cluster is quiet: every node on the same ring, no transfer or gossiped move left, no hint held, and
    /// each node's last ownership check (on that ring) found no partition to hand over.
    func heal() throws {
        chaos = false
        groups = [:]
        log("heal")
        for id in nodes.keys.sorted() where !nodes[id]!.isUp { try restart(id) }
        do {
            try runUntil("quiescence (rings, transfers, hints)") { self.isQuiet }
        } catch MembershipSimulationError.stalled(let phase, let time) {
            throw MembershipSimulationError.stalled(phase: "\(phase) [\(notQuiet.prefix(6).joined(separator: "; "))]", at: time)
        }
    }

    /// What keeps the cluster from being quiet, one line per node and cause.
    var notQuiet: [String] {
        var reasons: [String] = []
        for id in nodes.keys.sorted() {
            guard let membership = nodes[id]!.membership, let replica = nodes[id]!.node?.replica else {
                reasons.append("\(id) is down")
                continue
            }
            reasons.append("\(id) on epoch \(replica.ringEpoch)")
            for transfer in membership.sender.transfers where transfer.status != .done {
                reasons.append("\(id) sends \(transfer.id) (\(transfer.status))")
            }
            for move in membership.gossip.state.liveTransfers.prefix(3) { reasons.append("\(id) holds the move \(move) live") }
            for hint in replica.hints.values.prefix(3) {
                reasons.append("\(id) holds a hint for \(hint.owner) (\(hint.table)/\(String(decoding: hint.key, as: UTF8.self)))")
            }
        }
        return reasons.filter { !$0.contains(" on epoch ") || Set(nodes.values.map { $0.node?.replica.ringEpoch ?? 0 }).count > 1 }
    }

    public var isQuiet: Bool {
        let epochs = Set(nodes.values.map { $0.node?.replica.ringEpoch ?? 0 })
        return epochs.count == 1 && nodes.values.allSatisfy { node in
            guard let membership = node.membership, let replica = node.node?.replica else { return false }
            return membership.sender.transfers.allSatisfy { $0.status == .done } && membership.gossip.state.liveTransfers.isEmpty
                && replica.hints.isEmpty && membership.ownership.isSettled(atEpoch: replica.ringEpoch)
        }
    }
}
