import CairnCore
import CairnReplication

/// The properties every run must keep, checked after the cluster healed and went quiet.
public enum Checkers {
    /// Client-visible properties: no acknowledged write lost, concurrent writes kept, superseded and deleted
    /// values gone for good.
    static func check(history: ClientHistory, finalValues: [String: Set<String>], keys: [String]) -> [String] {
        var failures: [String] = []
        let mayBeGone = history.supersededByAnyWrite
        let mustBeGone = history.supersededByAcknowledgedWrite
        for key in keys {
            guard let final = finalValues[key] else {
                failures.append("liveness: the R=N read of \(key) failed after heal")
                continue
            }
            let acknowledged = history.writes.filter { $0.key == key && $0.acknowledged }.compactMap(\.value)
            for value in acknowledged where !final.contains(value) && !mayBeGone.contains(value) {
                failures.append("lost write: acknowledged \(key)=\(value) is gone though no write saw it (final \(final.sorted()))")
            }
            let concurrent = acknowledged.filter { !mayBeGone.contains($0) }
            if concurrent.count > 1, !concurrent.allSatisfy(final.contains) {
                failures.append("concurrent writes \(concurrent.sorted()) of \(key) did not all survive as siblings (final \(final.sorted()))")
            }
            for value in final where mustBeGone.contains(value) {
                failures.append("resurrection: \(key)=\(value) is back though an acknowledged write superseded it")
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
