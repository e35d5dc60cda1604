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
            guard let hint = holdHint(owner: owner, table: table, key: key, incoming: incoming) else { return [] }
            return [.persistHint(hint), acknowledgement]
        }
        let stored = mergeIntoLocal(table: table, key: key, incoming)
        return mutant(.replicaAcksBeforePersisting) ? [acknowledgement] + stored : stored + [acknowledgement]
    }

    /// Merges `incoming` into the stored copy, persisting only when something changed.
    func mergeIntoLocal(table: String, key: [UInt8], _ incoming: SiblingSet) -> [Directive] {
        let local = localCopy(table: table, key: key)
        let merged = mutant(.versionVectorJoinTakesMinimum)
            ? local.mergedTakingMinimum(with: incoming, policy: policy(of: table)) : local.merged(with: incoming, policy: policy(of: table))
        guard merged != local else { return [] }
        return [.persist(table: table, key: key, data: SiblingSetCodec.encode(merged))]
    }

    /// The copy a replica reports for a get: its stored copy if it is a primary, else the hints it holds.
    func replicaCopy(table: String, key: [UInt8]) -> [UInt8]? {
        guard let settings = configuration.tables[table] else { return nil }
        if replicas(of: key, settings).primaries.contains(id) { return storage.load(table: table, key: key) }
        // Hints are kept per (owner, table, key): look up each possible owner rather than scanning them all.
        let held = configuration.ring.members
            .compactMap { hints[HintSlot(owner: $0.id, table: table, key: key)] }
            .compactMap { try? SiblingSetCodec.decode($0.data) }
        guard !held.isEmpty else { return nil }
        return SiblingSetCodec.encode(held.reduce(SiblingSet.empty) { $0.merged(with: $1, policy: policy(of: table)) })
    }

    // MARK: Hints

    /// Merges a write into the hint held for (owner, table, key); nil when the hint store is full.
    mutating func holdHint(owner: NodeID, table: String, key: [UInt8], incoming: SiblingSet) -> Hint? {
        let slot = HintSlot(owner: owner, table: table, key: key)
        let held = hints[slot].flatMap { try? SiblingSetCodec.decode($0.data) }
        if held == nil, hints.count >= ReplicationLimits.hintsMax { return nil }
        let merged = (held ?? .empty).merged(with: incoming, policy: policy(of: table))
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

    /// The owner merges a delivered hint, persists it, and acknowledges exactly what it merged.
    func hintDelivered(table: String, key: [UInt8], data: [UInt8], from holder: NodeID) -> [Directive] {
        guard let incoming = try? SiblingSetCodec.decode(data) else { return [] }
        return mergeIntoLocal(table: table, key: key, incoming) + [.send(to: holder, .hintAck(table: table, key: key, data: data))]
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

    func reapIfUnchanged(table: String, key: [UInt8], history: [UInt8]) -> [Directive] {
        let local = localCopy(table: table, key: key)
        guard local.isDeleted, CausalContext.encode(local.history) == history else { return [] }
        return [.remove(table: table, key: key)]
    }
}
