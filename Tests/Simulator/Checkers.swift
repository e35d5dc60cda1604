import CairnCore
import CairnReplication

/// The properties every run must keep, checked after the cluster healed and went quiet. (The checks made
/// during the run are in `Simulation+Observations.swift`.)
public enum Checkers {
    /// Client-visible properties of the final R = N reads: no acknowledged write lost, superseded and
    /// deleted values gone for good. Under `lww` only what it promises: at most one value, nothing resurrected.
    static func check(_ simulation: Simulation, finalValues: [String: Set<String>]) -> [String] {
        var failures: [String] = []
        let history = simulation.history
        // A write a power loss (buffered durability) or a wiped disk destroyed no longer supersedes.
        let mustBeGone = Set(simulation.writeIndexByRequest.filter { requestID, index in
            history.writes[index].acknowledged && !lostToDataLoss(requestID, simulation)
        }.values.flatMap { history.writes[$0].saw })
        let isLastWriteWins = simulation.options.table.policy == .lww
        for key in simulation.keys {
            guard let final = finalValues[key] else {
                failures.append("liveness: the R=N read of \(key) failed after heal")
                continue
            }
            if isLastWriteWins, final.count > 1 {
                failures.append("lww: \(key) holds \(final.count) values \(final.sorted())")
            }
            for value in final where mustBeGone.contains(value) {
                failures.append("resurrection: \(key)=\(value) is back though an acknowledged write superseded it")
            }
            guard !isLastWriteWins else { continue }
            for (requestID, write) in simulation.writes(of: key) where write.acknowledged {
                guard let value = write.value, !final.contains(value), !excused(value, of: key, acknowledged: requestID, simulation)
                else { continue }
                failures.append("lost write: acknowledged \(key)=\(value) is gone though no write that took effect saw it (final \(final.sorted()))")
            }
        }
        return failures
    }

    /// A value may be gone only if a write that saw it took effect (some read's history covers its dot, or the
    /// history of a tombstone a node reaped does: a delete reaped before any read saw it took effect too; a
    /// value seen only by a write that never happened excuses nothing), or if every node that held it when
    /// it was acknowledged later lost it to a power loss before syncing or to a wiped disk.
    static func excused(_ value: String, of key: String, acknowledged requestID: UInt64, _ simulation: Simulation) -> Bool {
        let seen = (simulation.observed.seenHistory[key] ?? .empty).joined(with: simulation.observed.reapedHistory[key] ?? .empty)
        let superseded = simulation.writes(of: key).contains { id, write in
            write.saw.contains(value) && (simulation.observed.dots[id].map(seen.covers) ?? false)
        }
        return superseded || lostToDataLoss(requestID, simulation)
    }

    /// Whether a power loss before syncing (a buffered table's promise allows it) or a wiped disk destroyed an
    /// acknowledged write: every node that held it when it was acknowledged lost it so, or right after such a
    /// fault no disk held it any more (its copies had moved, by hand-over, to the disks that lost it).
    static func lostToDataLoss(_ requestID: UInt64, _ simulation: Simulation) -> Bool {
        if simulation.observed.destroyed.contains(requestID) { return true }
        guard let acknowledgement = simulation.observed.acknowledgements[requestID], !acknowledgement.holders.isEmpty else {
            return false
        }
        return acknowledgement.holders.allSatisfy { id in
            simulation.nodes[id]?.powerLosses.contains { $0.at >= acknowledgement.at && $0.lastSync < acknowledgement.at } ?? false
        }
    }

    /// After the heal, every hint was handed over: none left in any node's memory or on its disk.
    static func hintsDelivered(_ simulation: Simulation) throws -> [String] {
        var failures: [String] = []
        for id in simulation.nodeIDs {
            guard let node = simulation.nodes[id] else { continue }
            let inMemory = node.core?.hints.count ?? 0
            let onDisk = try simulation.diskView(of: node)?.storedHints().count ?? 0
            if inMemory > 0 || onDisk > 0 {
                failures.append("hints never delivered: \(id) holds \(inMemory) in memory and \(onDisk) on disk")
            }
        }
        return failures
    }

    /// Every primary replica of every key holds the same copy.
    static func replicasAgree(_ simulation: Simulation) throws -> [String] {
        var failures: [String] = []
        for key in simulation.keys {
            let bytes = Array(key.utf8)
            let primaries = simulation.ring.preferenceList(for: bytes, count: simulation.options.table.replicas)
            let copies = try primaries.map { node -> SiblingSet? in
                try simulation.nodes[node]!.store.load(table: Simulation.table, key: bytes).map(SiblingSetCodec.decode)
            }
            if Set(copies.map { $0.map(SiblingSetCodec.encode) }).count > 1 {
                let shown = zip(primaries, copies).map { "\($0)=\($1.map(describe) ?? "absent")" }
                failures.append("replicas of \(key) disagree: \(shown.joined(separator: "; "))")
            }
        }
        return failures
    }

    static func describe(_ set: SiblingSet) -> String {
        let siblings = set.siblings.map { "\($0.dot)\($0.isTombstone ? "†" : "=" + String(decoding: $0.value, as: UTF8.self))" }
        return "\(set.history) [\(siblings.joined(separator: ", "))]"
    }
}
