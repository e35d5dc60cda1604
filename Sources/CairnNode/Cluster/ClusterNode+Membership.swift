import CairnCore
import CairnMembership
import CairnReplication

/// How a `ClusterNode` follows the gossiped cluster state and the failure detector: new tables, new members, a
/// newer ring and its transfers, moves finished, unreachable members.
extension ClusterNode {
    /// Called after every gossip event: opens tables the catalog created, tracks new members in the detector, and
    /// adopts a ring of a newer epoch with the transfers it implies.
    mutating func followClusterState(now: UInt64) -> [NodeDirective] {
        guard let state = membership?.gossip.state else { return [] }
        var out = followCatalog(state, now: now)
        out += followMembers(state, now: now)
        if let record = state.ring, record.epoch > replica.ringEpoch { out += adoptRing(record, now: now) }
        return out
    }

    /// Tables in the catalog this node does not serve yet: opened first, then added to the core and the receiver.
    /// (A dropped table keeps being served: dropping is not wired yet.)
    mutating func followCatalog(_ state: ClusterState, now: UInt64) -> [NodeDirective] {
        var out: [NodeDirective] = []
        for (name, definition) in state.tables.sorted(by: { $0.key < $1.key }) where replica.configuration.tables[name] == nil {
            guard let policy = ConflictPolicy(rawValue: definition.policy) else {
                out.append(.log("\(id): table '\(name)' has an unknown policy '\(definition.policy.prefix(40))'; not served"))
                continue
            }
            let settings = TableSettings(
                replicas: definition.replicas, readQuorum: definition.readQuorum, writeQuorum: definition.writeQuorum, policy: policy)
            out.append(.openTable(definition))
            let added = replica.onTableAdded(named: name, settings: settings, now: now)
            out += routeReplica(added)
            membership!.receiver.policies[name] = policy
        }
        return out
    }

    /// Members the detector does not track yet are added; members that left the ring and exited are forgotten.
    mutating func followMembers(_ state: ClusterState, now: UInt64) -> [NodeDirective] {
        var out: [NodeDirective] = []
        let inRing = Set(state.ring?.ring.members.map(\.id) ?? [])
        for name in state.members.keys.sorted() where name != id {
            let tracked = membership!.detector.status(of: name) != nil
            if state.members[name]!.status == .exiting, !inRing.contains(name) {
                if tracked { membership!.detector.removeMember(name) }
                continue
            }
            guard !tracked else { continue }
            do {
                out += Self.wrap(try membership!.detector.addMember(name))
            } catch {
                out.append(.log("\(id): cannot watch \(name): \(error)"))
            }
        }
        return out + followDetector(now: now)
    }

    /// Adopts `record`'s ring in the core, cancels the transfers whose receiver no longer holds the partition, then
    /// plans on this node's sender every move it is the old holder of. A node whose ring had epoch 0 (a joiner's
    /// placeholder, or a wiped disk's) held nothing, so it sends nothing, and marks the gossiped moves from it done
    /// (a wiped old holder's moves stayed live for ever otherwise, and the cluster never went quiet).
    mutating func adoptRing(_ record: RingRecord, now: UInt64) -> [NodeDirective] {
        let (old, oldEpoch) = (replica.ring, replica.ringEpoch)
        let adopted = replica.onRingChange(ring: record.ring, epoch: record.epoch, now: now)
        var out = routeReplica(adopted)
        guard replica.ringEpoch == record.epoch else { return out }
        out.append(.log("\(id): ring epoch \(oldEpoch) → \(record.epoch)"))
        guard oldEpoch > 0 else { return out + markMovesDone() }
        var moves: [Transfer.ID] = []
        for (table, settings) in replica.configuration.tables.sorted(by: { $0.key < $1.key }) {
            moves += ReplicaMoves.between(old, record.ring, table: table, replicas: settings.replicas)
        }
        membership!.plan = Transfer.Plan(moves: Array((membership!.plan.moves + moves).suffix(ClusterMembership.plannedMovesMax)))
        let stale = membership!.sender.transfers.filter { $0.status != .done && !holds($0.id.to, table: $0.id.table, partition: $0.id.partition) }
        if !stale.isEmpty {
            let cancelled = membership!.sender.cancel(stale.map(\.id), nowMilliseconds: now)
            out += routeTransfer(cancelled)
        }
        // Moves done earlier in this run may be planned again (the partition comes back to the same node).
        let known = Set(membership!.sender.transfers.filter { $0.status != .done }.map(\.id))
        var mine = moves.filter { $0.from == id && !known.contains($0) }
        // A skipped ring's moves from this node are named by no move between the two rings (seed 61): send every
        // partition held in the old ring to every other holder in the new one.
        if Self.skipsEpochs(from: oldEpoch, to: record.epoch), !replica.isMutant(.skippedEpochMovesOnlyBetweenRings) {
            let planned = Set(mine)
            mine += movesAfterSkippedEpochs(from: old, to: record.ring).filter { !known.contains($0) && !planned.contains($0) }
            out.append(.log("\(id): skipped ring epochs \(oldEpoch + 1)..<\(record.epoch): sends what it held to every holder"))
        }
        // A cancelled transfer's partition still has to reach its holders. The moves between the two rings may not
        // name this node (it had left the list already), and the node that replaced the cancelled receiver gets the
        // partition from that receiver, which never had all of it (seed 1517: n1→n4 cancelled when n5 took n4's
        // place; n4→n5 carried only what n4 held). So send it to every other node of the new list (arrival merges;
        // no drop before each acknowledged it).
        for transfer in stale
        where !replica.isMutant(.cancelledTransferResentOnlyByLeavers) || !holds(id, table: transfer.id.table, partition: transfer.id.partition) {
            guard let settings = replica.configuration.tables[transfer.id.table] else { continue }
            for holder in record.ring.preferenceList(forPartition: transfer.id.partition, count: settings.replicas) where holder != id {
                let resend = Transfer.ID(table: transfer.id.table, partition: transfer.id.partition, from: id, to: holder)
                if !known.contains(resend), !mine.contains(resend) { mine.append(resend) }
            }
        }
        do {
            let planned = try membership!.sender.plan(mine, nowMilliseconds: now)
            out += routeTransfer(planned)
            if replica.isMutant(.transferDropsBeforeAcknowledged) {
                out += mine.filter { !holds(id, table: $0.table, partition: $0.partition) }
                    .map { .transferStorage(.dropPartition(table: $0.table, partition: $0.partition)) }
            }
        } catch {
            out.append(.log("\(id): transfers of ring epoch \(record.epoch) not planned: \(error)"))
        }
        return out + markMovesDone()
    }

    /// Marks done, in the gossiped state, each live move of a partition from this node once this node sends no
    /// table's copy of that partition any more (so a leaving member becomes `exiting` when it has handed everything
    /// over).
    mutating func markMovesDone() -> [NodeDirective] {
        guard let membership else { return [] }
        var out: [NodeDirective] = []
        for move in membership.gossip.state.liveTransfers where move.from == id {
            let sending = replica.configuration.tables.keys.contains {
                membership.sender.isSending(table: $0, partition: move.partition)
            }
            guard !sending else { continue }
            do {
                out += Self.wrap(try self.membership!.gossip.advanceTransfer(move.key, to: .done))
            } catch {
                out.append(.log("\(id): cannot mark the move of partition \(move.partition) done: \(error)"))
            }
        }
        // Each change asks to persist the whole state: the last request, holding every change, is enough.
        guard let last = out.lastIndex(where: { if case .persistClusterState = $0 { true } else { false } }) else { return out }
        return out.enumerated().filter { index, directive in
            if case .persistClusterState = directive { return index == last }
            return true
        }.map(\.element)
    }

    /// Whether `node` holds `table`'s `partition` in the current ring (is in its preference list).
    func holds(_ node: NodeID, table: String, partition: Int) -> Bool {
        guard let settings = replica.configuration.tables[table] else { return false }
        return replica.ring.preferenceList(forPartition: partition, count: settings.replicas).contains(node)
    }

    /// Hands the detector's unreachable members to the core whenever they change.
    mutating func followDetector(now: UInt64) -> [NodeDirective] {
        guard let unreachable = membership?.detector.unreachableMembers, unreachable != replica.unreachable else { return [] }
        let changed = replica.onUnreachableMembersChanged(unreachable, now: now)
        return routeReplica(changed)
    }
}
