import CairnCore

/// Hinted handoff (`Hints`): holding a fallback's write for its owner, offering it, and dropping it once the
/// owner acknowledged it; the owner's side merges a delivered hint into its stored copy.
extension ReplicaNode {
    /// A message of the hint protocol.
    mutating func onHintsMessage(_ message: Hints.Message, from sender: NodeID) -> [Directive] {
        switch message {
        case .delivery(let table, let key, let data):
            return hintDelivered(table: table, key: key, data: data, from: sender)
        case .ack(let table, let key, let data):
            return hintAcknowledged(table: table, key: key, data: data, by: sender)
        }
    }

    /// Merges a write into the hint held for (owner, table, key); nil when the hint store is full. Throws, and
    /// changes nothing, when the held hint does not decode or the merge would pass a limit.
    mutating func holdHint(owner: NodeID, table: String, key: [UInt8], incoming: SiblingSet) throws(ReplicationError) -> Hint? {
        let slot = HintSlot(owner: owner, table: table, key: key)
        let held = try hintHolder.held[slot].map { hint throws(ReplicationError) in try SiblingSetCodec.decode(hint.data) }
        if held == nil, hintHolder.held.count >= ReplicationLimits.hintsMax { return nil }
        let merged = try (held ?? .empty).mergedForWrite(incoming, policy: policy(of: table))
        let hint = Hint(owner: owner, table: table, key: key, data: SiblingSetCodec.encode(merged))
        hintHolder.held[slot] = hint
        return hint
    }

    /// Offers up to `hintsPerDeliveryRoundMax` held hints to their owners, in a stable order, and rearms.
    mutating func offerHints() -> [Directive] {
        let slots = hintHolder.held.keys.sorted { left, right in
            if left.owner != right.owner { return left.owner < right.owner }
            if left.table != right.table { return left.table < right.table }
            return left.key.lexicographicallyPrecedes(right.key)
        }
        var directives: [Directive] = slots.prefix(configuration.hintsPerDeliveryRoundMax).compactMap { slot in
            guard let hint = hintHolder.held[slot] else { return nil }
            return .send(to: hint.owner, .hints(.delivery(table: hint.table, key: hint.key, data: hint.data)))
        }
        if mutant(.hintDroppedFromMemoryWhenOffered) { for slot in slots.prefix(configuration.hintsPerDeliveryRoundMax) { hintHolder.held[slot] = nil } }
        if mutant(.hintDeletedDurablyWhenOffered) { directives += slots.prefix(configuration.hintsPerDeliveryRoundMax).map { .removeHint($0) } }
        directives.append(.startTimer(.hints(.delivery), afterMilliseconds: configuration.hintDeliveryIntervalMilliseconds))
        return directives
    }

    /// The owner merges a delivered hint, persists it, and acknowledges exactly what it merged. A hint it
    /// cannot merge (its copy unreadable, or the merge past the stored bounds) is not acknowledged: the holder
    /// keeps it, and the log says why.
    mutating func hintDelivered(table: String, key: [UInt8], data: [UInt8], from holder: NodeID) -> [Directive] {
        guard let incoming = try? SiblingSetCodec.decode(data) else { return [] }
        let merge = mergeIntoLocal(table: table, key: key, incoming, forWrite: false)
        guard merge.stored else { return merge.directives }
        return merge.directives + [.send(to: holder, .hints(.ack(table: table, key: key, data: data)))]
    }

    /// A hint is dropped only once its owner acknowledged the very data held (not an older version of it).
    mutating func hintAcknowledged(table: String, key: [UInt8], data: [UInt8], by owner: NodeID) -> [Directive] {
        let slot = HintSlot(owner: owner, table: table, key: key)
        guard hintHolder.held[slot]?.data == data || (mutant(.hintDroppedOnAnyAcknowledgement) && hintHolder.held[slot] != nil) else { return [] }
        hintHolder.held[slot] = nil
        return [.removeHint(slot)]
    }
}
