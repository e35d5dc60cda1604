import CairnCore
import CairnReplication

/// A client of the simulated cluster: one request at a time, remembering the context of its last get per key.
struct SimulatedClient {
    enum Outstanding {
        case get(key: String)
        case write(historyIndex: Int)
    }

    let index: Int
    var remaining: Int
    var sequence: UInt64 = 0
    var outstanding: (requestID: UInt64, kind: Outstanding)?
    /// The context and values of the last get of each key.
    var contexts: [String: (context: [UInt8], values: Set<String>)] = [:]

    init(index: Int, remaining: Int) {
        self.index = index
        self.remaining = remaining
    }

    var isDone: Bool { remaining == 0 && outstanding == nil }

    mutating func nextRequestID() -> UInt64 {
        sequence += 1
        return UInt64(index) << 32 | sequence
    }
}

extension Simulation {
    /// Time a client waits for a reply before it gives up on a request.
    var clientTimeoutMilliseconds: UInt64 { 400 + 2 * options.messageDelayMillisecondsMax + 50 }

    /// A pause between a client's requests that spreads its operations over the chaos phase.
    func thinkTime() -> UInt64 {
        1 + UInt64(random.next(below: Int(2 * options.chaosMilliseconds) / max(1, options.operationsPerClient)))
    }

    func clientAct(_ index: Int) throws {
        guard clients[index].outstanding == nil, clients[index].remaining > 0 else { return }
        clients[index].remaining -= 1
        let key = keys[random.next(below: keys.count)]
        let requestID = clients[index].nextRequestID()
        let value = "c\(index)-\(clients[index].sequence)"
        let known = clients[index].contexts[key]
        let roll = random.next(below: 100)
        let operation: ClientRequest.Operation
        let deleteFrom = 100 - options.deletePercent
        let blindFrom = deleteFrom - options.blindWritePercent
        if roll < options.getPercent || (roll >= deleteFrom && known == nil) {
            operation = .get
            clients[index].outstanding = (requestID, .get(key: key))
            readKeys[requestID] = key
            reapedAtReadStart[requestID] = observed.reapedHistory[key]
        } else {
            let blind = roll >= blindFrom && roll < deleteFrom
            let context = blind ? nil : known
            let isDelete = roll >= deleteFrom
            operation = isDelete ? .delete(context: context?.context) : .put(value: Array(value.utf8), context: context?.context)
            let write = ClientHistory.Write(key: key, value: isDelete ? nil : value, saw: context?.values ?? [])
            clients[index].outstanding = (requestID, .write(historyIndex: history.record(write)))
            writeIndexByRequest[requestID] = history.writes.count - 1
            if context != nil { clients[index].contexts[key] = nil }
        }
        let coordinator = nodeIDs[random.next(below: nodeIDs.count)]
        log("client \(index) → \(coordinator) \(describe(operation)) \(key) #\(requestID & 0xFFFF_FFFF)")
        queue.push(.clientTimeout(client: index, requestID: requestID), at: now + clientTimeoutMilliseconds)
        let request = ClientRequest(
            id: requestID, table: Simulation.table, key: Array(key.utf8), operation: operation, options: options.requestOptions)
        try submit(request, to: coordinator)
    }

    /// Hands a request to a node; a request to a node that is down is simply lost.
    func submit(_ request: ClientRequest, to coordinator: NodeID) throws {
        guard let node = nodes[coordinator], node.core != nil else { return }
        let base = dotBase(at: node, request)
        node.ports.issuing = { directives in
            self.noteForwards(of: request, at: coordinator, in: directives)
            return self.newDot(of: request, at: coordinator, base: base, in: directives)
        }
        try node.shell.onClientRequest(request, now: localTime(coordinator))
    }

    func clientReceived(_ reply: ClientReply, client index: Int) {
        if case .written = reply, let write = writeIndexByRequest[reply.id] { history.acknowledge(write) }
        if case .failed(_, let error) = reply { limits.refusals[Self.kind(of: error), default: 0] += 1 }
        if case .values(_, let values, let context, _) = reply, let key = readKeys[reply.id] {
            checkRead(key: key, values: Set(values.map(text)), context: context, reapedAtStart: reapedAtReadStart[reply.id] ?? .empty)
        }
        guard index < clients.count else {
            verificationReplies[reply.id] = reply
            return
        }
        guard let outstanding = clients[index].outstanding, outstanding.requestID == reply.id else { return }
        log("client \(index) ← \(describe(reply))")
        if case .get(let key) = outstanding.kind, case .values(_, let values, let context, _) = reply {
            clients[index].contexts[key] = (context, Set(values.map { String(decoding: $0, as: UTF8.self) }))
        }
        clients[index].outstanding = nil
        queue.push(.clientNext(client: index), at: now + thinkTime())
    }

    func clientTimedOut(_ index: Int, requestID: UInt64) {
        guard index < clients.count, clients[index].outstanding?.requestID == requestID else { return }
        log("client \(index) gives up on #\(requestID & 0xFFFF_FFFF)")
        clients[index].outstanding = nil
        queue.push(.clientNext(client: index), at: now + thinkTime())
    }

    /// Reads every key at R = N through its first primary; returns each key's values (absent on failure).
    func verificationReads() throws -> [String: Set<String>] {
        verificationReplies = [:]
        let verifier = UInt64(clients.count) << 32
        var asked: [UInt64: String] = [:]
        for (offset, key) in keys.enumerated() {
            let requestID = verifier | UInt64(offset + 1)
            asked[requestID] = key
            readKeys[requestID] = key
            reapedAtReadStart[requestID] = observed.reapedHistory[key]
            let coordinator = ring.preferenceList(for: Array(key.utf8), count: 1)[0]
            let options = RequestOptions(readQuorum: self.options.table.replicas, primaryReadQuorum: self.options.primaryReadQuorum)
            try submit(ClientRequest(id: requestID, table: Simulation.table, key: Array(key.utf8), operation: .get, options: options), to: coordinator)
        }
        try runUntil { asked.keys.allSatisfy { self.verificationReplies[$0] != nil } }
        var values: [String: Set<String>] = [:]
        for (requestID, key) in asked {
            if case .values(_, let found, let context, _) = verificationReplies[requestID] {
                values[key] = Set(found.map { String(decoding: $0, as: UTF8.self) })
                verificationContexts[key] = context
            }
        }
        log("verified \(keys.map { "\($0)=\(values[$0].map { $0.sorted().joined(separator: ",") } ?? "FAILED")" }.joined(separator: " "))")
        return values
    }

    /// A client that read a key can always write it: a put with the context of the last verification read of
    /// each key, through its first primary, must be acknowledged.
    func keysStayWritable() throws -> [String] {
        var failures: [String] = []
        let writer = UInt64(clients.count) << 32 | 1 << 31
        for (offset, key) in keys.enumerated() {
            guard let context = verificationContexts[key] else { continue }
            let requestID = writer | UInt64(offset + 1)
            let coordinator = ring.preferenceList(for: Array(key.utf8), count: 1)[0]
            let put = ClientRequest.Operation.put(value: Array("final-\(key)".utf8), context: context)
            try submit(ClientRequest(id: requestID, table: Simulation.table, key: Array(key.utf8), operation: put), to: coordinator)
            try runUntil { self.verificationReplies[requestID] != nil }
            if case .written = verificationReplies[requestID] { continue }
            failures.append("unwritable key: a put of \(key) with the context just read got \(verificationReplies[requestID].map(describe) ?? "no reply")")
        }
        return failures
    }

    static func kind(of error: ReplicationError) -> String {
        switch error {
        case .tooManySiblings: "siblingsMax"
        case .versionVectorTooLong: "versionVectorEntriesMax"
        case .timeout: "timeout"
        default: "other"
        }
    }

    func describe(_ operation: ClientRequest.Operation) -> String {
        switch operation {
        case .get: "get"
        case .put(let value, let context): "put \(text(value))\(context == nil ? " blind" : "")"
        case .delete: "delete"
        }
    }

    func describe(_ reply: ClientReply) -> String {
        switch reply {
        case .values(_, let values, _, _): "values [\(values.map(text).sorted().joined(separator: ","))]"
        case .written: "written"
        case .failed(_, let error): "failed: \(error)"
        }
    }
}
