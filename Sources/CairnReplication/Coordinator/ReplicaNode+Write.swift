import CairnCore

/// The coordinator side of puts and deletes: sloppy quorum with hinted handoff.
extension ReplicaNode {
    /// How far a key's first counter under an actor is scaled from the clock (counters per millisecond), so a
    /// key written again in the same epoch after its tombstone was reaped numbers its writes past every reaped
    /// write. (Writes of earlier epochs carry other actors, so they are never covered by accident.)
    static let countersPerMillisecond: UInt64 = 1_024

    mutating func coordinatePut(
        _ request: ClientRequest, _ table: TableSettings, value: [UInt8], tombstone: Bool, context contextBytes: [UInt8]?,
        route: ReplyRoute
    ) throws(ReplicationError) -> [Directive] {
        let (quorum, primaryQuorum) = try request.options.quorums(for: table, isRead: false)
        let context = try CausalContext.decode(contextBytes)
        let (primaries, fallbacks) = replicas(of: request.key, table)
        let isPrimary = primaries.contains(id)
        let object: SiblingSet
        var directives: [Directive] = []
        if isPrimary {
            let local: SiblingSet
            do {
                (local, directives) = try copyQuarantiningUndecodable(table: request.table, key: request.key, doing: "coordinating a write")
            } catch {
                let log = unreadable(error, table: request.table, key: request.key, doing: "coordinating a write")
                return [log, route.answer(.failed(id: request.id, error: error))]
            }
            let context = mutant(.putIgnoresContext) ? local.history : context
            let actor = primaryActor(table: request.table, key: request.key)
            let dot = local.history[actor] == 0 ? Dot(actor, Swift.max(1, now * Self.countersPerMillisecond)) : local.nextDot(for: actor)
            object = try local.applying(
                write: value, tombstone: tombstone, dot: dot, context: context, timestampMilliseconds: now,
                policy: table.policy)
        } else {
            object = try oneShotWrite(request, value: value, tombstone: tombstone, context: context, policy: table.policy)
        }
        let requestID = newRequestID()
        let data = SiblingSetCodec.encode(object)
        var quorumRequest = QuorumRequest<Void>(
            clientID: request.id, route: route, table: request.table, key: request.key, quorum: quorum,
            primaryQuorum: primaryQuorum, counting: .replicaPositions, primaries: primaries, fallbacks: fallbacks)
        if isPrimary {
            // Persist before any replica hears of the write: the local copy is the coordinator's own ack.
            if !mutant(.coordinatorSkipsOwnPersist) { directives.append(.persist(table: request.table, key: request.key, data: data)) }
            quorumRequest.targets.add(id)
            quorumRequest.record((), from: id)
        }
        let ask = replicaPutMessage(requestID, table: request.table, key: request.key, data: data)
        for primary in primaries where primary != id {
            directives += askPrimary(primary, of: &quorumRequest, ask)
        }
        coordinator.writes[requestID] = PendingWrite(request: quorumRequest, data: data, object: object)
        return directives + quorumDeadlines(requestID) + progressWrite(requestID)
    }

    /// The replica `put` of a write, to a primary (`hintFor` nil) or to a fallback standing in for one.
    func replicaPutMessage(_ id: RequestID, table: String, key: [UInt8], data: [UInt8]) -> (_ hintFor: NodeID?) -> Message {
        { owner in .replica(.put(id: id, table: table, key: key, data: data, hintFor: owner)) }
    }

    mutating func writeAcknowledged(_ requestID: RequestID, by node: NodeID) -> [Directive] {
        guard var pending = coordinator.writes[requestID], pending.request.awaits(node) else { return [] }
        pending.request.record((), from: node)
        coordinator.writes[requestID] = pending
        return progressWrite(requestID)
    }

    /// Answers the client once the quorum is reached, and retires the request once every replica answered.
    mutating func progressWrite(_ requestID: RequestID) -> [Directive] {
        guard var pending = coordinator.writes[requestID] else { return [] }
        var directives: [Directive] = []
        let request = pending.request
        if pending.request.replyOnce(when: request.quorumReached || (mutant(.quorumCountsOneShort) && request.counted >= request.quorum - 1)) {
            directives.append(request.route.answer(.written(id: request.clientID)))
        }
        coordinator.writes[requestID] = pending
        if request.everyoneAnswered {
            coordinator.writes[requestID] = nil
            let everyPrimaryHasIt = request.primaries.allSatisfy { request.hasAnswered($0) && request.targets.isPrimary($0) }
            if pending.object.isDeleted, everyPrimaryHasIt {
                directives += scheduleReap(table: request.table, key: request.key, object: pending.object, primaries: request.primaries)
            }
            if everyPrimaryHasIt {
                directives += schedulePrune(table: request.table, key: request.key, entries: prunableAfterWrite(pending.object), primaries: request.primaries)
            }
        }
        return directives
    }

    /// Replicas that missed the deadline are suspected; a fallback takes each one's write with a hint.
    mutating func replaceSilentWriteReplicas(_ requestID: RequestID) -> [Directive] {
        guard var pending = coordinator.writes[requestID] else { return [] }
        let ask = replicaPutMessage(requestID, table: pending.request.table, key: pending.request.key, data: pending.data)
        let directives = replaceSilentReplicas(requestID, of: &pending.request) { ask($0) }
        coordinator.writes[requestID] = pending
        return directives
    }

    /// Gives up on a write: the client gets a timeout unless it was answered. An answered write that a primary
    /// never acknowledged, with no stand-in's hint for it either (no fallback was left: the ring has no node
    /// beyond the key's primaries, or every one is suspected), is logged: that primary lacks the write until a read
    /// repairs it.
    mutating func writeTimedOut(_ requestID: RequestID) -> [Directive] {
        guard let pending = coordinator.writes.removeValue(forKey: requestID) else { return [] }
        let request = pending.request
        if let reply = request.timeoutReply { return [reply] }
        let uncovered = request.primaries.filter { primary in
            !request.hasAnswered(primary) && !request.targets.standIns.contains { $0.value == primary && request.hasAnswered($0.key) }
        }
        guard !uncovered.isEmpty else { return [] }
        return [.log(
            "\(id): write of \(Self.describeKey(request.key)) in '\(request.table)' acknowledged without "
                + "\(uncovered.map(\.name).joined(separator: ", ")) and no hint for it (\(request.targets.standIns.count) "
                + "fallback(s) asked): read repair brings it there")]
    }

    /// A key for a log line: quoted when it is short printable ASCII, else only its length.
    static func describeKey(_ key: [UInt8]) -> String {
        guard key.count <= 64, key.allSatisfy({ (0x20...0x7E).contains($0) && $0 != 0x22 }) else { return "a key of \(key.count) bytes" }
        return "key \"\(String(decoding: key, as: UTF8.self))\""
    }
}
