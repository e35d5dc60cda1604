import CairnCore
import CairnHTTP
import CairnMembership
import CairnNode
import CairnReplication

/// The admin routes over the node's gossip (`NodeShell.onAdmin`), on the shell's executor.
extension NodeRuntime {
    public func ring() async -> AdminView.Ring {
        await shellRead { node in
            let ring = node.replica.ring
            let records = node.membership?.gossip.state.members ?? [:]
            let names = Set(records.keys).union(ring.members.map(\.id)).sorted { $0.name < $1.name }
            let members = names.map { name in
                AdminView.Ring.Member(
                    node: name.name, status: records[name]?.status.rawValue ?? "valid",
                    zone: records[name]?.zone ?? ring.members.first { $0.id == name }?.zone,
                    partitions: ring.partitions(ownedBy: name).count)
            }
            let partitions = ring.owners.enumerated().map { AdminView.Ring.Partition(partition: $0.offset, owner: $0.element.name) }
            return AdminView.Ring(epoch: node.replica.ringEpoch, partitionCount: ring.partitionCount, members: members, partitions: partitions)
        } ?? AdminView.Ring(epoch: 0, partitionCount: 0, members: [], partitions: [])
    }

    public func stageJoin(_ node: String) async throws(AdminRefusal) -> AdminView.Staged {
        try await admin { gossip throws(GossipError) in
            try gossip.stageJoin(NodeID(node))
            return []
        }
        return try await plan().stagedOnly
    }

    public func stageLeave(_ node: String) async throws(AdminRefusal) -> AdminView.Staged {
        try await admin { gossip throws(GossipError) in
            try gossip.stageLeave(NodeID(node))
            return []
        }
        return try await plan().stagedOnly
    }

    public func plan() async throws(AdminRefusal) -> AdminView.Plan {
        let result: Result<AdminView.Plan, AdminRefusal>? = await shellRead { node in
            guard let gossip = node.membership?.gossip else { return .failure(AdminRefusal(reason: "the node runs without membership")) }
            let staged = gossip.staged.joins.map { "join \($0)" } + gossip.staged.leaves.map { "leave \($0)" }
            guard !gossip.staged.isEmpty else { return .success(AdminView.Plan(staged: [], moves: [])) }
            do throws(GossipError) {
                let plan = try gossip.plan()
                let tables = gossip.state.tables.keys.sorted()
                let moves = tables.flatMap { table in
                    plan.moves.map { AdminView.Move(table: table, partition: $0.partition, from: $0.from.name, to: $0.to.name) }
                }
                return .success(AdminView.Plan(staged: staged, moves: moves))
            } catch {
                return .failure(AdminRefusal(reason: error.description))
            }
        }
        guard let result else { throw AdminRefusal(reason: "the node is not running") }
        return try result.get()
    }

    public func commit() async throws(AdminRefusal) -> AdminView.Commit {
        let moves = try await plan().moves.count
        try await admin { gossip throws(GossipError) in try gossip.commit() }
        let epoch = await shellRead { $0.replica.ringEpoch } ?? 0
        return AdminView.Commit(epoch: epoch, moves: moves)
    }

    public func transfers() async -> AdminView.Transfers {
        await shellRead { node in
            let membership = node.membership
            let sending = (membership?.sender.transfers ?? []).map {
                AdminView.Transfers.Transfer(
                    table: $0.id.table, partition: $0.id.partition, from: $0.id.from.name, to: $0.id.to.name, state: "\($0.status)",
                    keysSent: $0.keys, bytesSent: $0.bytes)
            }
            let receiving = (membership?.receiver.transfers ?? []).map {
                AdminView.Transfers.Incoming(
                    table: $0.id.table, partition: $0.id.partition, from: $0.id.from.name, to: $0.id.to.name, state: "\($0.status)",
                    keysReceived: $0.keys, bytesReceived: $0.bytes)
            }
            return AdminView.Transfers(transfers: sending, incoming: receiving)
        } ?? AdminView.Transfers(transfers: [])
    }

    /// Runs `action` on the node's gossip; its refusal, or a stopped node, is an `AdminRefusal`.
    private func admin(_ action: @escaping @Sendable (inout GossipNode) throws(GossipError) -> [GossipDirective]) async throws(AdminRefusal) {
        let refusal: String?
        do {
            refusal = try await onShell { [self] () -> String? in
                guard shell.isRunning else { return "the node is not running" }
                do {
                    _ = try shell.onAdmin(now: WallClock.nowMilliseconds(), action)
                    return nil
                } catch let error as GossipError {
                    return error.description
                }
            }
        } catch {
            refusal = "\(error)"
        }
        if let refusal { throw AdminRefusal(reason: refusal) }
    }
}

extension AdminView.Plan {
    var stagedOnly: AdminView.Staged { AdminView.Staged(staged: staged) }
}
