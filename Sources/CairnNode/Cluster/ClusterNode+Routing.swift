import CairnCore
import CairnMembership
import CairnReplication

/// How a `ClusterNode` turns each part's directives into `NodeDirective`s, and the rules it adds on the way:
/// writes to a partition being sent are noted first, hints of departed owners go to their replacement, and a
/// partition is dropped only once this node no longer holds it.
extension ClusterNode {
    /// The core's directives, with `noteWrite` before every stored write to a partition this node is sending and
    /// hint offers to a departed owner redirected to its replacement.
    mutating func routeReplica(_ directives: [Directive]) -> [NodeDirective] {
        guard membership != nil else { return directives.map(NodeDirective.replica) }
        var out: [NodeDirective] = []
        for directive in directives {
            switch directive {
            case .persist(let table, let key, _), .remove(let table, let key), .quarantine(let table, let key, _):
                let partition = Ring.partition(for: key, partitionCount: replica.ring.partitionCount)
                if case .persist = directive { noteStoredOutsideList(table: table, partition: partition) }
                if membership!.sender.isSending(table: table, partition: partition) {
                    let noted = membership!.sender.noteWrite(table: table, partition: partition, key: key)
                    out += routeTransfer(noted)
                }
                out.append(.replica(directive))
            case .send(let owner, .hints(.delivery(let table, let key, let data))):
                if let replacement = replacement(ofDeparted: owner, table: table, key: key), replacement == replica.id {
                    out += routeReplica(mergeHeldHint(heldFor: owner, table: table, key: key, data: data))
                    continue
                }
                guard let replacement = replacement(ofDeparted: owner, table: table, key: key),
                    membership!.redirectedHints.count < ClusterMembership.redirectedHintsMax
                        || membership!.redirectedHints[HintSlot(owner: replacement, table: table, key: key)] != nil
                else {
                    out.append(.replica(directive))
                    continue
                }
                membership!.redirectedHints[HintSlot(owner: replacement, table: table, key: key), default: []].insert(owner)
                out.append(.replica(.send(to: replacement, .hints(.delivery(table: table, key: key, data: data)))))
            default:
                out.append(.replica(directive))
            }
        }
        return out
    }

    /// A hint held for a departed owner whose partition this node took over: merged into this node's own copy
    /// (as if delivered to itself), and dropped only when that merge was stored, exactly as the owner's ack would.
    mutating func mergeHeldHint(heldFor owner: NodeID, table: String, key: [UInt8], data: [UInt8]) -> [Directive] {
        let now = replica.latestEventTime
        var directives = replica.onMessage(.hints(.delivery(table: table, key: key, data: data)), from: replica.id, now: now)
        let ownAck = Directive.send(to: replica.id, .hints(.ack(table: table, key: key, data: data)))
        guard let index = directives.firstIndex(of: ownAck) else { return directives }
        directives.remove(at: index)
        return directives + replica.onMessage(.hints(.ack(table: table, key: key, data: data)), from: owner, now: now)
    }

    /// The node that took `owner`'s place for the key's partition, when `owner` left the ring; nil otherwise (a hint
    /// for a member still in the ring waits for it, as always).
    public func replacement(ofDeparted owner: NodeID, table: String, key: [UInt8]) -> NodeID? {
        guard let membership, !replica.ring.members.contains(where: { $0.id == owner }) else { return nil }
        let partition = Ring.partition(for: key, partitionCount: replica.ring.partitionCount)
        return Transfer.Plan(moves: membership.plan.moves.filter { $0.from == owner && $0.table == table })
            .newOwner(ofPartition: partition)
    }

    /// The node a replication message counts as coming from: a replacement's `hintAck` of a redirected hint is the
    /// departed owner's, so the hint held for that owner is the one deleted. The ack names the data it acknowledges,
    /// and that picks the hint: the replacement's own hint for the key, or the departed owner's (seed 5210: this
    /// node held both for one key, each ack was taken for the other hint, neither was ever deleted).
    mutating func originalOwner(of message: Message, from sender: NodeID) -> NodeID {
        guard case .hints(.ack(let table, let key, let data)) = message else { return sender }
        let slot = HintSlot(owner: sender, table: table, key: key)
        guard let owners = membership?.redirectedHints[slot] else { return sender }
        let held = replica.hints
        let matches = { (owner: NodeID) in held[HintSlot(owner: owner, table: table, key: key)]?.data == data }
        let owner: NodeID?
        if replica.isMutant(.hintAckTakenForDepartedOwner) {
            owner = owners.min()
        } else {
            guard !matches(sender) else { return sender }
            owner = owners.sorted().first(where: matches)
        }
        guard let owner else { return sender }
        membership!.redirectedHints[slot]!.remove(owner)
        if membership!.redirectedHints[slot]!.isEmpty { membership!.redirectedHints[slot] = nil }
        return owner
    }

    /// A transfer machine's directives, routed after the machine returned them (the drop rule reads its new state).
    /// A `dropPartition` is kept back (logged) while this node still holds the
    /// partition in the current ring or still sends it to another node.
    /// A drop performed is reported to the core first (`onPartitionDropped`: later writes there take a fresh actor).
    mutating func routeTransfer(_ directives: [Transfer.Directive]) -> [NodeDirective] {
        directives.flatMap { directive -> [NodeDirective] in
            switch directive {
            case .send(let to, let message):
                return [.send(to: to, .transfer(message))]
            case .startTimer(let timer, let after):
                return [.startTimer(.transfer(timer), afterMilliseconds: after)]
            case .log(let line):
                return [.log(line)]
            case .dropPartition(let table, let partition):
                if let reason = reasonToKeep(table: table, partition: partition) {
                    return [.log("\(id): kept \(table)/p\(partition) after its transfer: \(reason)")]
                }
                if replica.isMutant(.transferKeepsOldCopy) { return [.log("\(id): mutant keeps \(table)/p\(partition)")] }
                replica.onPartitionDropped(table: table, partition: partition)
                return [.log("\(id): drops \(table)/p\(partition): handed over"), .transferStorage(directive)]
            case .mergeCopies(let table, _, let entries, _) where replica.isMutant(.transferOverwritesOnArrival):
                return entries.map { .replica(.persist(table: table, key: $0.key, data: $0.data)) }
            case .mergeCopies, .recordProgress, .removeProgress, .recordDirty, .clearDirty, .clearAllDirty:
                return [.transferStorage(directive)]
            }
        }
    }

    /// Why this node must keep its copy of a partition it finished sending, or nil when it may drop it.
    func reasonToKeep(table: String, partition: Int) -> String? {
        guard replica.configuration.tables[table] != nil else { return "the table is unknown here" }
        if holds(id, table: table, partition: partition) {
            return "it is still a replica in ring epoch \(replica.ringEpoch)"
        }
        if membership?.sender.isSending(table: table, partition: partition) == true { return "it is still sending it elsewhere" }
        return nil
    }

    static func wrap(_ directives: [GossipDirective]) -> [NodeDirective] {
        directives.map { directive in
            switch directive {
            case .send(let to, let message): .send(to: to, .gossip(message))
            case .startTimer(let timer, let after): .startTimer(.gossip(timer), afterMilliseconds: UInt64(max(0, after)))
            case .persist(let state): .persistClusterState(state)
            case .log(let level, let line): .log("gossip \(level.rawValue): \(line)")
            }
        }
    }

    static func wrap(_ directives: [FailureDetector.Directive]) -> [NodeDirective] {
        directives.map { directive in
            switch directive {
            case .send(let message, let to): .send(to: to, .detector(message))
            case .startTimer(let timer, let after): .startTimer(.detector(timer), afterMilliseconds: after)
            case .statusChanged(let change): .log("detector: \(change)")
            case .rejected(let error): .log("detector refused an input: \(error)")
            }
        }
    }
}
