import CairnCore
import CairnHTTP
import CairnMembership
import CairnNode
import CairnReplication
import CairnStorage
import NIOCore

/// The HTTP API's `NodeService` over the running node: each call runs on the shell's executor.
extension NodeRuntime: NodeService {
    public func perform(_ request: ClientRequest) async -> ClientReply {
        let clientID = request.id
        let id = newRequestID()
        let inner = ClientRequest(id: id, table: request.table, key: request.key, operation: request.operation, options: request.options)
        let reply = await withCheckedContinuation { (continuation: CheckedContinuation<ClientReply, Never>) in
            guard replies.register(id, continuation) else {
                return continuation.resume(returning: .failed(id: id, error: .overloaded(pending: replies.pendingMax, limit: replies.pendingMax)))
            }
            group.next().scheduleTask(in: .milliseconds(Int64(settings.requestTimeoutMilliseconds))) { [replies] in
                replies.resolve(id, with: .failed(id: id, error: .timeout(needed: 0, got: 0)))
            }
            executor.submit(on: group.next()) { [self] in
                try shell.onClientRequest(inner, now: WallClock.nowMilliseconds())
            }.whenComplete { [replies, executor] result in
                switch result {
                case .success(.performed): break
                case .success(let outcome):
                    replies.resolve(id, with: .failed(id: id, error: .storageFailure("the node is not running (\(outcome))")))
                case .failure(ShellExecutorError.queueFull):
                    replies.resolve(id, with: .failed(id: id, error: .overloaded(pending: executor.jobsQueuedMax, limit: executor.jobsQueuedMax)))
                case .failure(let error):
                    replies.resolve(id, with: .failed(id: id, error: .storageFailure("the node failed the request: \(error)")))
                }
            }
        }
        return reply.withID(clientID)
    }

    public func createTable(_ table: TableDescription) async throws(TableRefusal) -> TableDescription {
        let definition = TableDefinition(
            name: table.name, engine: table.engine.rawValue, replicas: table.settings.replicas, readQuorum: table.settings.readQuorum,
            writeQuorum: table.settings.writeQuorum, policy: table.settings.policy.rawValue, durability: table.durability.rawValue)
        let refusal: String? = await shellRead { node in
            if let existing = node.membership?.gossip.state.tables[table.name] {
                return existing == definition ? nil : "table '\(table.name)' exists with \(Self.describe(existing))"
            }
            do {
                _ = try self.shell.onAdmin(now: WallClock.nowMilliseconds()) { gossip throws(GossipError) in try gossip.createTable(definition) }
                return nil
            } catch {
                return "\(error)"
            }
        } ?? "the node is not running"
        if let refusal { throw TableRefusal(reason: refusal) }
        return table
    }

    public func tables() async -> [TableDescription] {
        await shellRead { node in
            (node.membership?.gossip.state.tables.values.compactMap(Self.description) ?? []).sorted { $0.name < $1.name }
        } ?? []
    }

    public func status() async -> NodeStatus {
        let storageErrors = await shellRead { _ in self.store.storageErrors } ?? 0
        return await shellRead { node in
            let replica = node.replica
            let members = (node.membership?.gossip.state.members.values.sorted { $0.name.name < $1.name.name } ?? []).map { record in
                CairnHTTP.MemberStatus(name: record.name.name, zone: record.zone, health: Self.health(of: record.name, in: node))
            }
            let transfers = (node.membership?.sender.transfers ?? []).map {
                TransferStatus(table: $0.id.table, partition: $0.id.partition, from: $0.id.from.name, to: $0.id.to.name, keysSent: $0.keys)
            }
            return NodeStatus(
                node: self.settings.name.name, ring: RingStatus(epoch: replica.ringEpoch, owners: replica.ring.owners.map(\.name)),
                members: members, hintsPending: replica.hints.count, transfers: transfers, storageErrors: storageErrors)
        } ?? NodeStatus(
            node: settings.name.name, ring: RingStatus(epoch: 0, owners: []), members: [], hintsPending: 0, transfers: [],
            storageErrors: storageErrors)
    }

    /// Runs `read` on the shell's executor over the running node; nil when the node is stopped or the executor refused.
    func shellRead<T: Sendable>(_ read: @escaping @Sendable (ClusterNode) -> T) async -> T? {
        try? await onShell { [self] in shell.node.map(read) }
    }

    static func health(of member: NodeID, in node: ClusterNode) -> CairnHTTP.MemberStatus.Health {
        guard member != node.id else { return .alive }
        switch node.membership?.detector.status(of: member)?.state {
        case .alive?: return .alive
        case .suspect?: return .suspect
        case .dead?: return .dead
        case nil: return node.replica.unreachable.contains(member) ? .dead : .suspect
        }
    }

    static func description(_ definition: TableDefinition) -> TableDescription? {
        guard let engine = EngineKind(rawValue: definition.engine), let durability = Durability(rawValue: definition.durability),
            let settings = NodeDataDirectory.tableSettings(definition)
        else { return nil }
        return TableDescription(name: definition.name, engine: engine, settings: settings, durability: durability)
    }

    static func describe(_ definition: TableDefinition) -> String {
        "engine=\(definition.engine) n=\(definition.replicas) r=\(definition.readQuorum) w=\(definition.writeQuorum) "
            + "policy=\(definition.policy) durability=\(definition.durability)"
    }
}

extension ClientReply {
    /// The same reply under another request id.
    func withID(_ id: UInt64) -> ClientReply {
        switch self {
        case .values(_, let values, let context, let modified): .values(id: id, values: values, context: context, modifiedMilliseconds: modified)
        case .written: .written(id: id)
        case .failed(_, let error): .failed(id: id, error: error)
        }
    }
}
