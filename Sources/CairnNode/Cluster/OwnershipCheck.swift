import CairnCore

/// What a node's last ownership check found: the partitions it stores copies of but does not hold in its ring
/// (it is not in their preference list). Each is handed to its current holders through the transfer path and
/// dropped once they acknowledged it (`ClusterNode+Ownership`). Queryable for the admin commands, like Riak's
/// partitions "waiting to hand off".
public struct OwnershipCheck: Hashable, Sendable {
    /// One table's partition.
    public struct Slot: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var table: String
        public var partition: Int

        public static func < (left: Slot, right: Slot) -> Bool { (left.table, left.partition) < (right.table, right.partition) }
        public var description: String { "\(table)/p\(partition)" }
    }

    /// The ring epoch the last check ran at; 0 before the first check.
    public internal(set) var epoch: UInt64 = 0
    /// The partitions the last check found stored here but not held in the ring (handed over, or being handed over).
    public internal(set) var unowned: [Slot] = []
    /// Whether this node stored a copy outside its preference list since the last check (a write from a
    /// coordinator on an older ring, a hint for a former owner): the next check hands it over.
    public internal(set) var storedOutsideSinceCheck = false

    /// Whether the last check ran at `ringEpoch`, found nothing to hand over, and nothing was stored outside the
    /// node's preference lists since.
    public func isSettled(atEpoch ringEpoch: UInt64) -> Bool {
        epoch == ringEpoch && unowned.isEmpty && !storedOutsideSinceCheck
    }
}
