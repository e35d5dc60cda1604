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
        var pending = PendingWrite(
            clientID: request.id, route: route, table: request.table, key: request.key, data: data, object: object, quorum: quorum,
            primaryQuorum: primaryQuorum, primaries: primaries, targets: ReplicaTargets(fallbacks: fallbacks))
        if isPrimary {
            // Persist before any replica hears of the write: the local copy is the coordinator's own ack.
            if !mutant(.coordinatorSkipsOwnPersist) { directives.append(.persist(table: request.table, key: request.key, data: data)) }
            pending.targets.add(id)
            pending.acknowledged.append(id)
        }
        // Every primary is asked, even a suspected one (it may be back); a suspected one also gets a stand-in.
        let suspects = suspected
        for primary in primaries where primary != id {
            pending.targets.add(primary)
            directives.append(.send(to: primary, replicaPut(requestID, pending, hintFor: nil)))
            if suspects.contains(primary), let fallback = pending.targets.draftFallback(avoiding: suspects, excluded: id) {
                pending.targets.add(fallback, standingInFor: primary)
                directives.append(.send(to: fallback, replicaPut(requestID, pending, hintFor: primary)))
            }
        }
        writes[requestID] = pending
        directives += [
            .startTimer(.replicaTimeout(requestID), afterMilliseconds: configuration.replicaTimeoutMilliseconds),
            .startTimer(.requestTimeout(requestID), afterMilliseconds: configuration.requestTimeoutMilliseconds),
        ]
        return directives + progressWrite(requestID)
    }

    func replicaPut(_ id: RequestID, _ pending: PendingWrite, hintFor owner: NodeID?) -> Message {
        .replicaPut(id: id, table: pending.table, key: pending.key, data: pending.data, hintFor: owner)
    }

    mutating func writeAcknowledged(_ requestID: RequestID, by node: NodeID) -> [Directive] {
        guard var pending = writes[requestID], pending.targets.contains(node), !pending.acknowledged.contains(node) else {
            return []
        }
        pending.acknowledged.append(node)
        writes[requestID] = pending
        return progressWrite(requestID)
    }

    /// Answers the client once the quorum is reached, and retires the request once every replica answered.
    mutating func progressWrite(_ requestID: RequestID) -> [Directive] {
        guard var pending = writes[requestID] else { return [] }
        var directives: [Directive] = []
        if !pending.replied, pending.quorumReached || (mutant(.quorumCountsOneShort) && pending.acknowledgedOwners >= pending.quorum - 1) {
            pending.replied = true
            directives.append(pending.route.answer(.written(id: pending.clientID)))
        }
        writes[requestID] = pending
        if pending.everyoneAnswered {
            writes[requestID] = nil
            let everyPrimaryHasIt = pending.primaries.allSatisfy { pending.acknowledged.contains($0) && pending.targets.isPrimary($0) }
            if pending.object.isDeleted, everyPrimaryHasIt {
                directives += scheduleReap(table: pending.table, key: pending.key, object: pending.object, primaries: pending.primaries)
            }
            if everyPrimaryHasIt {
                directives += schedulePrune(table: pending.table, key: pending.key, entries: prunableAfterWrite(pending.object), primaries: pending.primaries)
            }
        }
        return directives
    }

    /// Replicas that missed the deadline are suspected; a fallback takes each one's write with a hint.
    mutating func replaceSilentWriteReplicas(_ requestID: RequestID) -> [Directive] {
        guard var pending = writes[requestID] else { return [] }
        let acknowledged = pending.acknowledged
        let drafted = draftStandIns(&pending.targets) { acknowledged.contains($0) }
        let directives = drafted.map { Directive.send(to: $0.fallback, replicaPut(requestID, pending, hintFor: $0.owner)) }
        writes[requestID] = pending
        guard !directives.isEmpty else { return [] }
        return directives + [.startTimer(.replicaTimeout(requestID), afterMilliseconds: configuration.replicaTimeoutMilliseconds)]
    }

    /// Suspects every target that has not answered, then drafts a fallback to stand in for each silent target's
    /// owner, unless a stand-in for that owner already answered.
    mutating func draftStandIns(
        _ targets: inout ReplicaTargets, answered: (NodeID) -> Bool
    ) -> [(fallback: NodeID, owner: NodeID)] {
        let silent = targets.nodes.filter { $0 != id && !answered($0) }
        for node in silent { suspect(node) }
        let suspects = suspected
        var drafted: [(fallback: NodeID, owner: NodeID)] = []
        for node in silent {
            let owner = targets.standIns[node] ?? node
            let covered = targets.standIns.contains { $0.value == owner && answered($0.key) }
            guard !covered, let fallback = targets.draftFallback(avoiding: suspects, excluded: id) else { continue }
            targets.add(fallback, standingInFor: owner)
            drafted.append((fallback, owner))
        }
        return drafted
    }

    mutating func writeTimedOut(_ requestID: RequestID) -> [Directive] {
        guard let pending = writes.removeValue(forKey: requestID) else { return [] }
        guard !pending.replied else { return [] }
        return [pending.route.answer(.failed(id: pending.clientID, error: .timeout(needed: pending.quorum, got: pending.acknowledgedOwners)))]
    }
}
