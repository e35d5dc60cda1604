import CairnCore

/// The coordinator side of gets: quorum reads, sibling merging and read repair.
extension ReplicaNode {
    mutating func coordinateGet(_ request: ClientRequest, _ table: TableSettings) throws(ReplicationError) -> [Directive] {
        let (quorum, primaryQuorum) = try request.options.quorums(for: table, isRead: true)
        let (primaries, fallbacks) = replicas(of: request.key, table)
        let requestID = newRequestID()
        var pending = PendingRead(
            clientID: request.id, route: .client, table: request.table, key: request.key, quorum: quorum,
            primaryQuorum: primaryQuorum, counting: .answers, primaries: primaries, fallbacks: fallbacks)
        let ask: (NodeID?) -> Message = { _ in .replica(.get(id: requestID, table: request.table, key: request.key)) }
        var directives: [Directive] = []
        for primary in primaries {
            if primary == id {
                // An unreadable local copy does not answer (it is not read as empty, nor repaired over); an
                // undecodable one is quarantined and answers empty, to be repaired.
                pending.targets.add(id)
                do {
                    let local = try copyQuarantiningUndecodable(table: request.table, key: request.key, doing: "coordinating a read")
                    directives += local.directives
                    pending.record(local.copy, from: id)
                } catch {
                    directives.append(unreadable(error, table: request.table, key: request.key, doing: "coordinating a read"))
                }
            } else {
                directives += askPrimary(primary, of: &pending, ask)
            }
        }
        coordinator.reads[requestID] = pending
        return directives + quorumDeadlines(requestID) + progressRead(requestID)
    }

    mutating func readReplied(_ requestID: RequestID, by node: NodeID, data: [UInt8]?) -> [Directive] {
        guard var pending = coordinator.reads[requestID], pending.awaits(node) else { return [] }
        // A reply that does not decode is not an answer (an empty one would be repaired over).
        let copy: SiblingSet
        do {
            copy = try data.map { bytes throws(ReplicationError) in try SiblingSetCodec.decode(bytes) } ?? .empty
        } catch {
            return [.log("\(id): a reply from \(node) does not decode: \(error)")]
        }
        pending.record(copy, from: node)
        coordinator.reads[requestID] = pending
        return progressRead(requestID)
    }

    /// Answers the client at quorum; once every replica answered, repairs the stale ones and retires the read.
    mutating func progressRead(_ requestID: RequestID) -> [Directive] {
        guard var pending = coordinator.reads[requestID] else { return [] }
        var directives: [Directive] = []
        if pending.replyOnce(when: pending.quorumReached) {
            let merged = pending.merged(policy(of: pending.table))
            do {
                try merged.checkStoredLimits()
                directives.append(.reply(.values(id: pending.clientID, values: merged.values, context: CausalContext.encode(merged.history), modifiedMilliseconds: merged.valueTimestampsMilliseconds)))
            } catch {
                directives.append(.reply(.failed(id: pending.clientID, error: error)))
            }
        }
        coordinator.reads[requestID] = pending
        if pending.everyoneAnswered { directives += finishRead(requestID) }
        return directives
    }

    /// Read repair: every primary that answered with a copy missing part of the merged result receives it.
    mutating func finishRead(_ requestID: RequestID) -> [Directive] {
        guard let pending = coordinator.reads.removeValue(forKey: requestID) else { return [] }
        let merged = pending.merged(policy(of: pending.table))
        guard !merged.siblings.isEmpty || !merged.history.isEmpty, (try? merged.checkStoredLimits()) != nil else { return [] }
        let data = SiblingSetCodec.encode(merged)
        var directives: [Directive] = []
        var everyPrimaryHadIt = true
        for primary in pending.primaries {
            guard let answer = pending.answers.first(where: { $0.node == primary }) else {
                everyPrimaryHadIt = false
                continue
            }
            guard !answer.answer.includes(merged) else { continue }
            everyPrimaryHadIt = false
            if mutant(.readRepairNeverSent) { continue }
            if primary == id {
                // Merge into the copy stored now: the snapshot read earlier may predate this node's newer writes.
                directives += mergeIntoLocal(table: pending.table, key: pending.key, merged, forWrite: false).directives
            } else {
                let repair = Message.replica(.put(id: newRequestID(), table: pending.table, key: pending.key, data: data, hintFor: nil))
                directives.append(.send(to: primary, repair))
            }
        }
        if merged.isDeleted, everyPrimaryHadIt {
            directives += scheduleReap(table: pending.table, key: pending.key, object: merged, primaries: pending.primaries)
        }
        directives += schedulePrune(table: pending.table, key: pending.key, entries: prunableAfterRead(pending, merged: merged), primaries: pending.primaries)
        return directives
    }

    /// Primaries that missed the deadline are suspected; fallbacks that may hold their hints are asked instead.
    mutating func replaceSilentReadReplicas(_ requestID: RequestID) -> [Directive] {
        guard var pending = coordinator.reads[requestID] else { return [] }
        let ask = Message.replica(.get(id: requestID, table: pending.table, key: pending.key))
        let directives = replaceSilentReplicas(requestID, of: &pending) { _ in ask }
        coordinator.reads[requestID] = pending
        return directives
    }

    mutating func readTimedOut(_ requestID: RequestID) -> [Directive] {
        guard let pending = coordinator.reads[requestID] else { return [] }
        return (pending.timeoutReply.map { [$0] } ?? []) + finishRead(requestID)
    }
}
