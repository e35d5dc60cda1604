import CairnCore
import CairnNode
import CairnReplication

/// The checks after a membership run has healed and gone quiet: ownership converged, every key held by exactly its
/// preference list, nothing acknowledged lost, nothing superseded or deleted back.
enum MembershipCheckers {
    static func check(_ simulation: MembershipSimulation) throws -> [String] {
        var failures = ownershipConverged(simulation)
        if !simulation.nodes.values.contains(where: \.wiped) { failures += try preferenceListsComplete(simulation) }
        // First read of every key at R=N repairs replicas (a wiped disk gets its copies back); the second is checked.
        _ = try simulation.verificationReads()
        try simulation.runFor(1_000)
        failures += try exactlyThePreferenceListHolds(simulation)
        let finalValues = try simulation.verificationReads()
        failures += acknowledgedWritesSurvive(simulation, finalValues: finalValues)
        failures += nothingSupersededComesBack(simulation, finalValues: finalValues)
        return failures
    }

    /// (a) Every node ends on the same ring epoch and the same owners, the ring its gossip holds.
    static func ownershipConverged(_ simulation: MembershipSimulation) -> [String] {
        let nodes = simulation.nodes.keys.sorted()
        guard let first = nodes.first, let reference = simulation.nodes[first]!.node?.replica else { return ["ownership: \(nodes.first?.name ?? "no node") is down"] }
        var failures: [String] = []
        for id in nodes {
            guard let node = simulation.nodes[id]!.node else {
                failures.append("ownership: \(id) is down after the heal")
                continue
            }
            if node.replica.ringEpoch != reference.ringEpoch || node.replica.ring != reference.ring {
                failures.append("ownership: \(id) is on ring epoch \(node.replica.ringEpoch), \(first) on \(reference.ringEpoch) (or their owners differ)")
            }
            if node.membership?.gossip.state.ring?.ring != node.replica.ring {
                failures.append("ownership: \(id) routes by another ring than the one it gossips")
            }
        }
        let members = Set(reference.ring.members.map(\.id))
        let expected = Set(simulation.nodes.keys).subtracting(simulation.options.leaves ? [NodeID("n\(simulation.options.foundingNodes)")] : [])
        if members != expected {
            failures.append("ownership: the ring holds \(members.map(\.name).sorted()), expected \(expected.map(\.name).sorted())")
        }
        return failures
    }

    /// (b, before any read repairs) Every node of a key's preference list holds a copy of every key written with an
    /// acknowledgement: transfers and hints carried each key to its new owners. (Skipped when a disk was wiped: only
    /// read repair brings its keys back. So is a primary a coordinator wrote a key without, with no fallback to
    /// hold a hint for it: `writtenWithoutPrimaryOrFallback`, that key on that node only.)
    static func preferenceListsComplete(_ simulation: MembershipSimulation) throws -> [String] {
        var failures: [String] = []
        let acknowledgedKeys = Set(simulation.history.writes.filter(\.acknowledged).map(\.key))
        for key in acknowledgedKeys.sorted() {
            // A primary that missed a write no fallback could take a hint for gets it from a read repair only.
            let excused = simulation.writtenWithoutPrimaryOrFallback[key] ?? []
            for owner in try simulation.preferenceList(of: key) where try !excused.contains(owner) && !simulation.nodes[owner]!.holds(key) {
                failures.append("missing copy: \(owner) is in \(key)'s preference list but holds no copy of it after quiescence")
            }
        }
        return failures
    }

    /// (b, after the repairing reads) A key is held by exactly the N nodes of its preference list: no copy is left
    /// on an old owner, none is missing on a new one.
    static func exactlyThePreferenceListHolds(_ simulation: MembershipSimulation) throws -> [String] {
        var failures: [String] = []
        for key in simulation.keys {
            let owners = Set(try simulation.preferenceList(of: key))
            var holders = Set<NodeID>()
            for (id, node) in simulation.nodes where try node.holds(key) { holders.insert(id) }
            guard !holders.isEmpty, holders != owners else { continue }
            failures.append(
                "holders: \(key) is held by \(holders.map(\.name).sorted()), its preference list is \(owners.map(\.name).sorted())")
        }
        return failures
    }

    /// (c) Every acknowledged put is read back at R = N unless a write that saw it superseded it, or a wiped disk
    /// held its only copies when it was wiped (`destroyedByWipes`, from the disks, not from any node's memory).
    static func acknowledgedWritesSurvive(_ simulation: MembershipSimulation, finalValues: [String: Set<String>]) -> [String] {
        let excused = simulation.history.supersededByAnyWrite.union(simulation.destroyedByWipes)
        return simulation.history.writes.compactMap { write in
            guard write.acknowledged, let value = write.value, !excused.contains(value) else { return nil }
            guard let values = finalValues[write.key] else { return "lost write: the final read of \(write.key) failed" }
            return values.contains(value) ? nil : "lost write: acknowledged \(write.key)=\(value) is gone"
        }
    }

    /// (d) No value an acknowledged write superseded (a delete or an overwrite with the context that saw it) comes back.
    static func nothingSupersededComesBack(_ simulation: MembershipSimulation, finalValues: [String: Set<String>]) -> [String] {
        var failures: [String] = []
        for write in simulation.history.writes where write.acknowledged {
            for value in write.saw.sorted() where finalValues[write.key]?.contains(value) == true {
                failures.append(
                    "resurrection: \(write.key)=\(value) is back after an acknowledged \(write.value == nil ? "delete" : "overwrite") that saw it")
            }
        }
        return failures
    }
}

extension MembershipSimulation {
    /// The key's preference list in the (converged) ring of the admin node.
    func preferenceList(of key: String) throws -> [NodeID] {
        guard let ring = admin.node?.replica.ring else { throw MembershipSimulationError.stalled(phase: "the checks (admin down)", at: now) }
        return ring.preferenceList(for: Array(key.utf8), count: options.replicas)
    }

    /// Reads every key at R = N through a ring member, one at a time; a key whose read failed is missing.
    func verificationReads() throws -> [String: Set<String>] {
        var values: [String: Set<String>] = [:]
        let readers = try keys.map { try preferenceList(of: $0).first! }
        for (key, reader) in zip(keys, readers) {
            let id = nextRequestID
            nextRequestID += 1
            try nodes[reader]!.shell.onClientRequest(
                ClientRequest(id: id, table: Self.table, key: Array(key.utf8), operation: .get, options: RequestOptions(readQuorum: options.replicas)),
                now: now)
            try runUntil("the verification read of \(key)") { self.verificationReplies[id] != nil }
            if case .values(_, let read, _, _)? = verificationReplies[id] {
                values[key] = Set(read.map { String(decoding: $0, as: UTF8.self) })
            } else {
                log("verification read of \(key) at \(reader): \(String(describing: verificationReplies[id]))")
            }
        }
        return values
    }
}
