import CairnCore

/// The replica side: merging writes into stored copies, answering reads, reaping tombstones.
extension ReplicaNode {
    /// A coordinator's request to this node as a replica.
    mutating func onReplicaMessage(_ message: Replica.Message, from sender: NodeID) -> [Directive] {
        switch message {
        case .put(let id, let table, let key, let data, let hintFor):
            return replicaPut(id: id, table: table, key: key, data: data, hintFor: hintFor, from: sender)
        case .get(let id, let table, let key):
            do {
                return try replicaGetReply(id: id, table: table, key: key, to: sender)
            } catch {
                return [unreadable(error, table: table, key: key, doing: "answering a read")]
            }
        case .reap(let table, let key, let history):
            return reapIfUnchanged(table: table, key: key, history: history)
        case .prune(let table, let key, let entries):
            return pruneIfUnchanged(table: table, key: key, entries: entries)
        }
    }

    mutating func replicaPut(
        id requestID: RequestID, table: String, key: [UInt8], data: [UInt8], hintFor owner: NodeID?, from sender: NodeID
    ) -> [Directive] {
        // Data that does not decode is not acknowledged: the coordinator moves on to another replica.
        guard let incoming = try? SiblingSetCodec.decode(data) else { return [] }
        let acknowledgement = Directive.send(to: sender, .coordinator(.putAck(id: requestID)))
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
            return [.send(to: sender, .coordinator(.getReply(id: requestID, data: try replicaCopy(table: table, key: key))))]
        }
        let local = try copyQuarantiningUndecodable(table: table, key: key, doing: "answering a read")
        let data = local.directives.isEmpty ? try storedCopy(table: table, key: key)?.data : nil
        return local.directives + [.send(to: sender, .coordinator(.getReply(id: requestID, data: data)))]
    }

    /// The copy a replica reports for a get: its stored copy if it is a primary, else the hints it holds.
    /// Throws when a copy or hint cannot be read: the replica then stays silent rather than answer "absent".
    func replicaCopy(table: String, key: [UInt8]) throws(ReplicationError) -> [UInt8]? {
        guard let settings = configuration.tables[table] else { return nil }
        if replicas(of: key, settings).primaries.contains(id) { return try storedCopy(table: table, key: key)?.data }
        // Hints are kept per (owner, table, key): look up each possible owner rather than scanning them all.
        var held: [SiblingSet] = []
        for member in ring.members {
            guard let hint = hintHolder.held[HintSlot(owner: member.id, table: table, key: key)] else { continue }
            held.append(try SiblingSetCodec.decode(hint.data))
        }
        guard !held.isEmpty else { return nil }
        var merged = SiblingSet.empty
        for copy in held { merged = try merged.mergedWithinStoredLimits(copy, policy: policy(of: table)) }
        return SiblingSetCodec.encode(merged)
    }

    // MARK: Tombstones

    /// Removes the key if its copy is still exactly the tombstones of `history`; an unreadable copy is left alone.
    func reapIfUnchanged(table: String, key: [UInt8], history: [UInt8]) -> [Directive] {
        guard let local = try? localCopy(table: table, key: key), local.isDeleted,
            CausalContext.encode(local.history) == history
        else { return [] }
        return [.remove(table: table, key: key)]
    }
}
