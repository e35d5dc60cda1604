import CairnCore
import CairnReplication

/// One client of a membership run: on even keys it writes blind puts (every acknowledged value must survive);
/// on odd keys it reads and then deletes or overwrites with the context it read (what it saw must never come back).
struct MembershipClient {
    let index: Int
    var remaining: Int
    var written = 0
    /// The request in flight, the key it is for, and the write it records (nil for a get).
    var pending: (requestID: UInt64, key: String, write: Int?)?

    var isDone: Bool { remaining == 0 && pending == nil }
}

extension MembershipSimulation {
    /// Most time a client waits for a reply before it gives up on it (the node may have crashed), in milliseconds.
    static let clientTimeoutMilliseconds: UInt64 = 3_000

    func clientAct(_ index: Int) throws {
        guard clients[index].pending == nil, clients[index].remaining > 0 else { return }
        let targets = upNodes.filter { nodes[$0]!.node?.replica.ringEpoch ?? 0 > 0 }
        guard !targets.isEmpty else { return queue.push(.clientNext(client: index), at: now + 100) }
        let target = targets[random.next(below: targets.count)]
        let keyIndex = random.next(below: options.keyCount)
        let key = "key-\(keyIndex)"
        clients[index].remaining -= 1
        let operation: ClientRequest.Operation
        var write: Int?
        if keyIndex % 2 == 0 {
            operation = .put(value: Array(newValue(index).utf8), context: nil)
            write = history.record(.init(key: key, value: newValue(index), saw: []))
            clients[index].written += 1
        } else {
            operation = .get
        }
        try request(client: index, at: target, key: key, operation, write: write)
    }

    func newValue(_ client: Int) -> String { "c\(client)-\(clients[client].written)" }

    func request(client: Int, at target: NodeID, key: String, _ operation: ClientRequest.Operation, write: Int?) throws {
        let id = nextRequestID
        nextRequestID += 1
        clientOfRequest[id] = client
        clients[client].pending = (id, key, write)
        queue.push(.clientTimeout(client: client, requestID: id), at: now + Self.clientTimeoutMilliseconds)
        if let traced = Self.tracedKey, traced == Array(key.utf8).description {
            log("client \(client) request \(id) at \(target): \(String(describing: operation).prefix(200))")
        }
        try nodes[target]!.shell.onClientRequest(ClientRequest(id: id, table: Self.table, key: Array(key.utf8), operation: operation), now: now)
    }

    /// A reply reaches its client (or, for a verification read, `verificationReplies`).
    func received(_ reply: ClientReply) {
        guard let client = clientOfRequest.removeValue(forKey: reply.id) else {
            verificationReplies[reply.id] = reply
            return
        }
        guard let pending = clients[client].pending, pending.requestID == reply.id else { return }
        if let traced = Self.tracedKey, traced == Array(pending.key.utf8).description {
            log("client \(client) reply \(reply.id): \(String(describing: reply).prefix(200))")
        }
        clients[client].pending = nil
        switch reply {
        case .written:
            if let write = pending.write {
                history.acknowledge(write)
                counts["acknowledged writes", default: 0] += 1
            }
        case .values(_, let values, let context, _) where pending.write == nil:
            // Read done: next, delete or overwrite what it saw, with its context.
            let saw = Set(values.map { String(decoding: $0, as: UTF8.self) })
            queue.push(.clientFollowUp(client: client, key: pending.key, context: context, saw: saw), at: now + 1)
            return
        default:
            break
        }
        queue.push(.clientNext(client: client), at: now + 1 + UInt64(random.next(below: 30)))
    }

    /// A write with the context a read returned: a delete or an overwrite of what it saw.
    func clientFollowUp(_ client: Int, key: String, context: [UInt8], saw: Set<String>) throws {
        let deletes = random.next(below: 2) == 0
        let value = deletes ? nil : newValue(client)
        if !deletes { clients[client].written += 1 }
        let targets = upNodes.filter { nodes[$0]!.node?.replica.ringEpoch ?? 0 > 0 }
        guard !targets.isEmpty else { return queue.push(.clientNext(client: client), at: now + 100) }
        let target = targets[random.next(below: targets.count)]
        let write = history.record(.init(key: key, value: value, saw: saw))
        let operation: ClientRequest.Operation = deletes ? .delete(context: context) : .put(value: Array(value!.utf8), context: context)
        try request(client: client, at: target, key: key, operation, write: write)
    }

    func clientTimedOut(_ client: Int, requestID: UInt64) {
        guard let pending = clients[client].pending, pending.requestID == requestID else { return }
        clientOfRequest[requestID] = nil
        clients[client].pending = nil
        queue.push(.clientNext(client: client), at: now + 1)
    }
}
