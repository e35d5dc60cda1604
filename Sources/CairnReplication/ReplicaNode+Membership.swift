import CairnCore

/// Events from the cluster membership: the failure detector's view of who is unreachable, and tables the gossiped
/// catalog adds. `ClusterNode` (in CairnNode) calls these; a bare `ReplicaNode` never needs them.
extension ReplicaNode {
    /// The failure detector's suspected or dead members changed. Coordinators treat them as suspected
    /// (`suspected`): each is still asked (it may be alive: a false suspicion costs a detour, never data), and a
    /// fallback takes its write as a hint at once, without waiting out `replicaTimeout`. A member back to alive
    /// gets its held hints offered now rather than at the next delivery round.
    public mutating func onUnreachableMembersChanged(_ members: Set<NodeID>, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        let recovered = unreachable.subtracting(members)
        unreachable = members.subtracting([id])
        guard !recovered.isEmpty else { return [] }
        return hints.values.filter { recovered.contains($0.owner) }
            .sorted { left, right in
                left.owner != right.owner ? left.owner < right.owner
                    : left.table != right.table ? left.table < right.table : left.key.lexicographicallyPrecedes(right.key)
            }
            .prefix(configuration.hintsPerDeliveryRoundMax)
            .map { .send(to: $0.owner, .hints(.delivery(table: $0.table, key: $0.key, data: $0.data))) }
    }

    /// A table the catalog created: requests for it are served from now on. A table already known is kept as it is
    /// (settings do not change under a running table); invalid settings or name are refused with a log line.
    public mutating func onTableAdded(named name: String, settings: TableSettings, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        guard configuration.tables[name] == nil else { return [] }
        guard !name.isEmpty, name.utf8.count <= ReplicationLimits.tableNameBytesMax else {
            return [.log("\(id): refused table '\(name.prefix(40))': its name must be 1…tableNameBytesMax (\(ReplicationLimits.tableNameBytesMax)) bytes")]
        }
        do {
            try settings.check()
        } catch {
            return [.log("\(id): refused table '\(name)': \(error)")]
        }
        configuration.tables[name] = settings
        return [.log("\(id): serving table '\(name)' (N=\(settings.replicas), R=\(settings.readQuorum), W=\(settings.writeQuorum))")]
    }
}
