import CairnCore

/// Operator actions: staged join and leave, plan and commit (Riak's `cluster join/leave/plan/commit`), the
/// table catalog, and marking a member down.
extension GossipNode {
    /// Stages taking `node` into the ring. It must have announced itself (`joining`), or be `valid` but missing
    /// from the ring after a lost commit.
    public mutating func stageJoin(_ node: NodeID) throws(GossipError) {
        guard let record = state.members[node] else { throw .refused("cannot stage join of \(node): not a known member") }
        let inRing = state.ring?.ring.members.contains { $0.id == node } ?? false
        guard record.status == .joining || (record.status == .valid && !inRing) else {
            throw .refused("cannot stage join of \(node): it is \(record.status.rawValue)\(inRing ? " and in the ring" : "")")
        }
        guard !staged.leaves.contains(node) else { throw .refused("cannot stage join of \(node): its leave is staged") }
        staged.join(node)
    }

    /// Stages taking `node` out of the ring; it must be in the ring and not the last member left in it.
    public mutating func stageLeave(_ node: NodeID) throws(GossipError) {
        guard let ring = state.ring?.ring, ring.members.contains(where: { $0.id == node }) else {
            throw .refused("cannot stage leave of \(node): not in the ring")
        }
        guard !staged.joins.contains(node) else { throw .refused("cannot stage leave of \(node): its join is staged") }
        let remaining = ring.members.count + staged.joins.count - staged.leaves.count - 1
        guard remaining >= 1 else { throw .refused("cannot stage leave of \(node): it is the last member of the ring") }
        staged.leave(node)
    }

    /// Forgets the staged changes.
    public mutating func clearStaged() { staged.clear() }

    /// What committing the staged changes would do.
    public func plan() throws(GossipError) -> ClusterPlan {
        guard !staged.isEmpty else { throw .refused("nothing staged: stage a join or a leave first") }
        let current = state.ring?.ring
        let inRing = Set(current?.members.map(\.id) ?? [])
        // A commit heard since staging may already have made these changes.
        let joins = staged.joins.filter { !inRing.contains($0) }
        let leaves = staged.leaves.filter { inRing.contains($0) }
        guard !joins.isEmpty || !leaves.isEmpty else {
            throw .refused("the staged changes are already in the ring of epoch \(state.epoch): nothing to commit")
        }
        var members = (current?.members ?? []).filter { !leaves.contains($0.id) }
        guard !members.isEmpty || !joins.isEmpty else { throw .refused("the ring would have no members") }
        for node in joins {
            guard let record = state.members[node] else { throw .refused("staged join of \(node), no longer a member") }
            members.append(record.ringMember)
        }
        guard members.count <= Ring.membersMax else {
            throw .refused("the ring would have \(members.count) members, more than membersMax \(Ring.membersMax)")
        }
        let ring =
            current.map { PartitionPlanner.rebalance($0, to: members, replicaCount: settings.replicaCount) }
            ?? PartitionPlanner.initialRing(
                partitionCount: settings.partitionCount, members: members, replicaCount: settings.replicaCount)
        let moves = current.map { old in
            old.owners.indices.filter { old.owners[$0] != ring.owners[$0] }
                .map { PartitionMove(partition: $0, from: old.owners[$0], to: ring.owners[$0]) }
        } ?? []
        let rules = PlacementConflicts(
            partitionCount: ring.partitionCount, members: ring.members, replicaCount: settings.replicaCount)
        return ClusterPlan(
            joins: joins, leaves: leaves, epoch: state.epoch + 1, ring: ring, moves: moves,
            placementConflicts: rules.total(in: ring.owners))
    }

    /// Applies the plan: the new ring at epoch + 1, its transfers pending, joiners `valid`, leavers `leaving`
    /// (or `exiting` when they hand nothing over).
    public mutating func commit() throws(GossipError) -> [GossipDirective] {
        let plan = try plan()
        do {
            try state.commit(ring: plan.ring, by: name, transfers: plan.moves.map { ($0.partition, $0.from, $0.to) })
            for node in plan.joins { try state.setStatus(of: node, to: .valid) }
            for node in plan.leaves {
                try state.setStatus(of: node, to: plan.moves.contains { $0.from == node } ? .leaving : .exiting)
            }
        } catch {
            throw .state(error)
        }
        lastCommit = (state.ring!.commit, staged)
        staged.clear()
        return changed(log: plan.summary)
    }

    /// Adds a table to the catalog; gossip takes it to every node.
    public mutating func createTable(_ definition: TableDefinition) throws(GossipError) -> [GossipDirective] {
        do { try state.createTable(definition) } catch { throw .state(error) }
        return changed(log: "created table \(definition.name)")
    }

    /// Drops a table from the catalog (a tombstone that gossip spreads).
    public mutating func dropTable(named table: String) throws(GossipError) -> [GossipDirective] {
        do { try state.dropTable(named: table) } catch { throw .state(error) }
        return changed(log: "dropped table \(table)")
    }

    /// Marks another member down (an operator, or the failure detector). The member refutes it if alive.
    public mutating func markDown(_ node: NodeID) throws(GossipError) -> [GossipDirective] {
        guard node != name else { throw .refused("a node cannot mark itself down") }
        do { try state.setStatus(of: node, to: .down) } catch { throw .state(error) }
        return changed(log: "marked \(node) down")
    }

    /// Advances a transfer's status (for the transfer work), gossiped like any change.
    public mutating func advanceTransfer(_ key: TransferKey, to status: TransferStatus) throws(GossipError) -> [GossipDirective] {
        do { try state.advance(key, to: status) } catch { throw .state(error) }
        return changed(log: "transfer of partition \(key.partition) \(status.rawValue)")
    }

    private mutating func changed(log line: String) -> [GossipDirective] {
        stateChanged()
        return [.persist(state), .log(.info, line)]
    }
}
