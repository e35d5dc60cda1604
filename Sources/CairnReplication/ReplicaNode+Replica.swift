import CairnCore

/// The replica side: merging writes into stored copies, holding and handing over hints, reaping tombstones.
extension ReplicaNode {
    mutating func replicaPut(
        id requestID: RequestID, table: String, key: [UInt8], data: [UInt8], hintFor owner: NodeID?, from sender: NodeID
    ) -> [Directive] {
        // Data that does not decode is not acknowledged: the coordinator moves on to another replica.
        guard let incoming = try? SiblingSetCodec.decode(data) else { return [] }
        let acknowledgement = Directive.send(to: sender, .replicaPutAck(id: requestID))
        if let owner, owner != id {
            if mutant(.fallbackStoresNothing) { return [acknowledgement] }
            do {
                guard let hint = try holdHint(owner: owner, table: table, key: key, incoming: incoming) else { return [] }
                return [.persistHint(hint), acknowledgement]
            } catch {
                return [refusedMerge(error, table: table, key: key, doing: "a hint for \(owner)")]
            }
        }
        let merge = mergeIntoLocal(table: table, key: key, incoming, forWrite: true)
        guard merge.stored else { return merge.directives }
        return mutant(.replicaAcksBeforePersisting) ? [acknowledgement] + merge.directives : merge.directives + [acknowledgement]
    }

    /// Merges `incoming` into the stored copy, persisting only when something changed. `stored` is false when
    /// the copy could not be read or the merge was refused at a limit (`forWrite`: a write to acknowledge, held
    /// to the put limits; otherwise a hand-over or repair, held to the stored bounds): nothing is written then.
    mutating func mergeIntoLocal(
        table: String, key: [UInt8], _ incoming: SiblingSet, forWrite: Bool
    ) -> (stored: Bool, directives: [Directive]) {
        let local: SiblingSet
        let quarantine: [Directive]
        do {
            (local, quarantine) = try copyQuarantiningUndecodable(table: table, key: key, doing: "merging a write")
        } catch {
            return (false, [unreadable(error, table: table, key: key, doing: "merging a write")])
        }
        let merged: SiblingSet
        do {
            merged = mutant(.versionVectorJoinTakesMinimum)
                ? local.mergedTakingMinimum(with: incoming, policy: policy(of: table))
                : forWrite
                ? try local.mergedForWrite(incoming, policy: policy(of: table))
                : try local.mergedWithinStoredLimits(incoming, policy: policy(of: table))
        } catch {
            return (false, quarantine + [refusedMerge(error, table: table, key: key, doing: forWrite ? "a replica write" : "a hand-over")])
        }
        guard merged != local else { return (true, quarantine) }
        return (true, quarantine + [.persist(table: table, key: key, data: SiblingSetCodec.encode(merged))])
    }

    /// A replica's answer to a get: its copy (`replicaCopy`); a primary's undecodable copy is quarantined first
    /// and answers as absent. Throws when a copy or hint cannot be read.
    mutating func replicaGetReply(id requestID: RequestID, table: String, key: [UInt8], to sender: NodeID) throws(ReplicationError) -> [Directive] {
        guard let settings = configuration.tables[table], replicas(of: key, settings).primaries.contains(id) else {
            return [.send(to: sender, .replicaGetReply(id: requestID, data: try replicaCopy(table: table, key: key)))]
        }
        let local = try copyQuarantiningUndecodable(table: table, key: key, doing: "answering a read")
        let data = local.directives.isEmpty ? try storedCopy(table: table, key: key)?.data : nil
        return local.directives + [.send(to: sender, .replicaGetReply(id: requestID, data: data))]
    }

    /// The copy a replica reports for a get: its stored copy if it is a primary, else the hints it holds.
    /// Throws when a copy or hint cannot be read: the replica then stays silent rather than answer "absent".
    func replicaCopy(table: String, key: [UInt8]) throws(ReplicationError) -> [UInt8]? {
        guard let settings = configuration.tables[table] else { return nil }
        if replicas(of: key, settings).primaries.contains(id) { return try storedCopy(table: table, key: key)?.data }
        // Hints are kept per (owner, table, key): look up each possible owner rather than scanning them all.
        var held: [SiblingSet] = []
        for member in ring.members {
            guard let hint = hints[HintSlot(owner: member.id, table: table, key: key)] else { continue }
            held.append(try SiblingSetCodec.decode(hint.data))
        }
        guard !held.isEmpty else { return nil }
        var merged = SiblingSet.empty
        for copy in held { merged = try merged.mergedWithinStoredLimits(copy, policy: policy(of: table)) }
        return SiblingSetCodec.encode(merged)
    }

    // MARK: Hints

    /// Merges a write into the hint held for (owner, table, key); nil when the hint store is full. Throws, and
    /// changes nothing, when the held hint does not decode or the merge would pass a limit.
    mutating func holdHint(owner: NodeID, table: String, key: [UInt8], incoming: SiblingSet) throws(ReplicationError) -> Hint? {
        let slot = HintSlot(owner: owner, table: table, key: key)
        let held = try hints[slot].map { hint throws(ReplicationError) in try SiblingSetCodec.decode(hint.data) }
        if held == nil, hints.count >= ReplicationLimits.hintsMax { return nil }
        let merged = try (held ?? .empty).mergedForWrite(incoming, policy: policy(of: table))
        let hint = Hint(owner: owner, table: table, key: key, data: SiblingSetCodec.encode(merged))
        hints[slot] = hint
        return hint
    }

    /// Offers up to `hintsPerDeliveryRoundMax` held hints to their owners, in a stable order, and rearms.
    mutating func offerHints() -> [Directive] {
        let slots = hints.keys.sorted { left, right in
            if left.owner != right.owner { return left.owner < right.owner }
            if left.table != right.table { return left.table < right.table }
            return left.key.lexicographicallyPrecedes(right.key)
        }
        var directives: [Directive] = slots.prefix(configuration.hintsPerDeliveryRoundMax).compactMap { slot in
            guard let hint = hints[slot] else { return nil }
            return .send(to: hint.owner, .hintDelivery(table: hint.table, key: hint.key, data: hint.data))
        }
        if mutant(.hintDroppedFromMemoryWhenOffered) { for slot in slots.prefix(configuration.hintsPerDeliveryRoundMax) { hints[slot] = nil } }
        if mutant(.hintDeletedDurablyWhenOffered) { directives += slots.prefix(configuration.hintsPerDeliveryRoundMax).map { .removeHint($0) } }
        directives.append(.startTimer(.hintDelivery, afterMilliseconds: configuration.hintDeliveryIntervalMilliseconds))
        return directives
    }

    /// The owner merges a delivered hint, persists it, and acknowledges exactly what it merged. A hint it
    /// cannot merge (its copy unreadable, or the merge past the stored bounds) is not acknowledged: the holder
    /// keeps it, and the log says why.
    mutating func hintDelivered(table: String, key: [UInt8], data: [UInt8], from holder: NodeID) -> [Directive] {
        guard let incoming = try? SiblingSetCodec.decode(data) else { return [] }
        let merge = mergeIntoLocal(table: table, key: key, incoming, forWrite: false)
        guard merge.stored else { return merge.directives }
        return merge.directives + [.send(to: holder, .hintAck(table: table, key: key, data: data))]
    }

    /// A hint is dropped only once its owner acknowledged the very data held (not an older version of it).
    mutating func hintAcknowledged(table: String, key: [UInt8], data: [UInt8], by owner: NodeID) -> [Directive] {
        let slot = HintSlot(owner: owner, table: table, key: key)
        guard hints[slot]?.data == data || (mutant(.hintDroppedOnAnyAcknowledgement) && hints[slot] != nil) else { return [] }
        hints[slot] = nil
        return [.removeHint(slot)]
    }

    // MARK: Tombstones

    /// After the grace period, asks every primary to drop the key if it still holds exactly this tombstone.
    mutating func scheduleReap(table: String, key: [UInt8], object: SiblingSet, primaries: [NodeID]) -> [Directive] {
        let requestID = newRequestID()
        reaps[requestID] = PendingReap(
            table: table, key: key, history: CausalContext.encode(object.history), primaries: primaries)
        return [.startTimer(.reap(requestID), afterMilliseconds: mutant(.tombstoneReapedAtOnce) ? 0 : configuration.tombstoneGraceMilliseconds)]
    }

    mutating func reapNow(_ requestID: RequestID) -> [Directive] {
        guard let reap = reaps.removeValue(forKey: requestID) else { return [] }
        return reap.primaries.flatMap { primary -> [Directive] in
            if primary == id { return reapIfUnchanged(table: reap.table, key: reap.key, history: reap.history) }
            return [.send(to: primary, .reap(table: reap.table, key: reap.key, history: reap.history))]
        }
    }

    /// Removes the key if its copy is still exactly the tombstones of `history`; an unreadable copy is left alone.
    func reapIfUnchanged(table: String, key: [UInt8], history: [UInt8]) -> [Directive] {
        guard let local = try? localCopy(table: table, key: key), local.isDeleted,
            CausalContext.encode(local.history) == history
        else { return [] }
        return [.remove(table: table, key: key)]
    }
}
