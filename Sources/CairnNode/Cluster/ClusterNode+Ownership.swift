import CairnCore
import CairnReplication

/// The periodic ownership check (Riak's repeated handoff): a node may store copies of a partition it no longer
/// holds in its ring, left by a write from a coordinator on an older ring, a hint delivered to a former owner, or a
/// copy it got while it had no ring yet (a wiped node restarting on its placeholder). Every
/// `ownershipCheckIntervalMilliseconds` the node looks for such partitions and, for each one it is not already
/// sending, plans a transfer to every node of its preference list: the copies merge on arrival, and the partition
/// is dropped only when each holder acknowledged everything (the usual drop rule in `routeTransfer`).
extension ClusterNode {
    /// Runs one ownership check and starts the next one's timer.
    mutating func checkOwnership(now: UInt64) -> [NodeDirective] {
        var out: [NodeDirective] = [.startTimer(.ownership, afterMilliseconds: membership!.ownershipCheckIntervalMilliseconds)]
        // A placeholder ring (epoch 0) holds every partition: nothing to hand over until the node has a real one.
        guard replica.ringEpoch > 0 else { return out }
        if replica.isMutant(.ownershipCheckFindsNothing) {
            membership!.ownership = OwnershipCheck(epoch: replica.ringEpoch)
            return out
        }
        var unowned: [OwnershipCheck.Slot] = []
        var handoffs: [Transfer.ID] = []
        for (table, settings) in replica.configuration.tables.sorted(by: { $0.key < $1.key }) {
            for partition in 0..<replica.ring.partitionCount where !holds(id, table: table, partition: partition) {
                let slot = OwnershipCheck.Slot(table: table, partition: partition)
                do {
                    guard try membership!.sender.holdsCopies(table: table, partition: partition) else { continue }
                } catch {
                    // Not taken for an empty partition: it stays listed, and the next check reads it again.
                    unowned.append(slot)
                    out.append(.log("\(id): ownership check cannot read \(slot): \(error)"))
                    continue
                }
                unowned.append(slot)
                // A transfer of it is running: its completion drops the partition (or the next check finds it again).
                guard !membership!.sender.isSending(table: table, partition: partition) else { continue }
                for holder in replica.ring.preferenceList(forPartition: partition, count: settings.replicas) {
                    handoffs.append(Transfer.ID(table: table, partition: partition, from: id, to: holder))
                }
            }
        }
        membership!.ownership = OwnershipCheck(epoch: replica.ringEpoch, unowned: unowned, storedOutsideSinceCheck: false)
        guard !handoffs.isEmpty else { return out }
        let slots = Set(handoffs.map { OwnershipCheck.Slot(table: $0.table, partition: $0.partition) }).sorted()
        out.append(.log(
            "\(id): stores \(slots.count) partition(s) it does not hold in ring epoch \(replica.ringEpoch) "
                + "(\(slots.prefix(8).map(\.description).joined(separator: ", "))\(slots.count > 8 ? " …" : "")): handing them to their holders"))
        do {
            out += routeTransfer(try membership!.sender.plan(handoffs, nowMilliseconds: now))
        } catch {
            out.append(.log("\(id): handoffs of ring epoch \(replica.ringEpoch) not planned: \(error)"))
        }
        return out
    }

    /// Notes a copy the core stores outside this node's preference lists (the next check hands it over).
    mutating func noteStoredOutsideList(table: String, partition: Int) {
        guard replica.ringEpoch > 0, !holds(id, table: table, partition: partition) else { return }
        membership!.ownership.storedOutsideSinceCheck = true
    }
}
