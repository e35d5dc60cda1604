import CairnCore

/// A new ring, from whatever spreads the cluster's state (gossip, later; a test or the simulator now).
///
/// Requests in flight keep the preference list they started with: a pending write or read holds its primaries
/// and the nodes it sent to (`ReplicaTargets`), counts acknowledgements only from those, and finishes (or times
/// out) against them. Only requests begun after the change route by the new ring. Hints are kept per owner as
/// before; held hints for an owner that left are handled by the partition transfers (issue 9 §4), not here.
extension ReplicaNode {
    /// Adopts `ring` if `epoch` is newer than the current one; an older or equal epoch is ignored, and a ring
    /// with another partition count (stored keys are prefixed by partition, so Q never changes) is refused.
    public mutating func onRingChange(ring newRing: Ring, epoch: UInt64, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        guard epoch > ringEpoch else { return [] }
        guard newRing.partitionCount == ring.partitionCount else {
            return [.log("\(id): refused ring epoch \(epoch): \(newRing.partitionCount) partitions, the cluster has \(ring.partitionCount)")]
        }
        if let problem = NodeConfiguration.ringProblem(newRing) {
            return [.log("\(id): refused ring epoch \(epoch): \(problem)")]
        }
        ring = newRing
        ringEpoch = epoch
        return []
    }
}
