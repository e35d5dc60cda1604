import CairnCore

/// The coordinator's entry points: a client's request (checked, then coordinated here or forwarded), and the
/// coordinator's messages and timers, each handed to the file that owns it.
extension ReplicaNode {
    mutating func handle(_ request: ClientRequest, route: ReplyRoute, mayForward: Bool) -> [Directive] {
        guard let table = configuration.tables[request.table] else {
            return [route.answer(.failed(id: request.id, error: .unknownTable(request.table)))]
        }
        guard (1...ReplicationLimits.keyBytesMax).contains(request.key.count) else {
            return [route.answer(.failed(id: request.id, error: .keyInvalid(bytes: request.key.count, limit: ReplicationLimits.keyBytesMax)))]
        }
        guard pendingRequestCount < ReplicationLimits.pendingRequestsMax else {
            return [route.answer(.failed(id: request.id, error: .overloaded(pending: pendingRequestCount, limit: ReplicationLimits.pendingRequestsMax)))]
        }
        do {
            switch request.operation {
            case .get:
                return try coordinateGet(request, table)
            case .put(let value, let context):
                guard value.count <= ReplicationLimits.valueBytesMax else {
                    throw ReplicationError.valueTooLarge(bytes: value.count, limit: ReplicationLimits.valueBytesMax)
                }
                if mayForward, let forwarded = forwardIfNotPrimary(request, table) { return forwarded }
                return try coordinatePut(request, table, value: value, tombstone: false, context: context, route: route)
            case .delete(let context):
                if mayForward, let forwarded = forwardIfNotPrimary(request, table) { return forwarded }
                return try coordinatePut(request, table, value: [], tombstone: true, context: context, route: route)
            }
        } catch let error as ReplicationError {
            return [route.answer(.failed(id: request.id, error: error))]
        } catch {
            preconditionFailure("coordinators throw only ReplicationError: \(error)")
        }
    }

    /// A message for this node as a coordinator.
    mutating func onCoordinatorMessage(_ message: Coordinator.Message, from sender: NodeID) -> [Directive] {
        switch message {
        case .putAck(let id):
            return writeAcknowledged(id, by: sender)
        case .getReply(let id, let data):
            return readReplied(id, by: sender, data: data)
        case .coordinate(let id, let request):
            return coordinateForwarded(request, id: id, from: sender)
        case .coordinateAccepted(let id):
            coordinator.forwards[id]?.accepted = true
            return []
        case .coordinated(let id, let reply):
            guard coordinator.forwards.removeValue(forKey: id) != nil else { return [] }
            return [.reply(reply)]
        case .ping(let id):
            return [.send(to: sender, .coordinator(.pong(id: id)))]
        case .pong(let id):
            return ponged(id, by: sender)
        }
    }

    /// A coordinator's timer fired.
    mutating func onCoordinatorTimer(_ timer: Coordinator.Timer) -> [Directive] {
        switch timer {
        case .replicaTimeout(let id):
            return coordinator.writes[id] != nil ? replaceSilentWriteReplicas(id) : replaceSilentReadReplicas(id)
        case .requestTimeout(let id):
            return coordinator.writes[id] != nil ? writeTimedOut(id) : readTimedOut(id)
        case .reap(let id):
            return reapNow(id)
        case .prune(let id):
            return pruneNow(id)
        case .forwardTimeout(let id):
            return forwardNotAccepted(id)
        case .forwardExpired(let id):
            guard let forward = coordinator.forwards.removeValue(forKey: id) else { return [] }
            return [.reply(.failed(id: forward.request.id, error: .timeout(needed: 1, got: 0)))]
        }
    }
}
