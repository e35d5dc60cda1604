import CairnCore

extension FailureDetector {
    /// What failure detectors send each other. Every message piggybacks a few membership updates, so
    /// suspicions, refutations and deaths spread on the probe traffic itself (SWIM's infection-style
    /// dissemination); a message never carries more than `Settings.piggybackUpdatesMax` of them.
    public struct Message: Hashable, Sendable, CustomStringConvertible {
        /// The probe protocol: a direct probe, its answer, an indirect probe through a relay, and the relay's
        /// negative answer (Lifeguard's nack, which tells the prober the relay itself is reachable).
        public enum Kind: Hashable, Sendable {
            /// Are you there? Answer with an ack carrying the same sequence number.
            case ping(sequence: UInt64)
            /// `target` is alive at `incarnation`; answers the ping or ping-request numbered `sequence`.
            case ack(sequence: UInt64, target: NodeID, incarnation: UInt64)
            /// Probe `target` for me, and ack (or nack) back under `sequence`.
            case pingRequest(sequence: UInt64, target: NodeID)
            /// The relay asked to probe `target` got no ack from it in time.
            case nack(sequence: UInt64, target: NodeID)
            /// Only the piggybacked updates, pushed to a few members while there is news (no answer expected).
            case gossip
        }

        public var kind: Kind
        public var updates: [MemberUpdate]

        public init(_ kind: Kind, updates: [MemberUpdate] = []) {
            self.kind = kind
            self.updates = updates
        }

        public var description: String { "\(kind) +\(updates.count) updates" }

        /// The largest incarnation anywhere in the message (an ack's and its updates'), or nil if none.
        public var largestIncarnation: UInt64? {
            var incarnations = updates.map(\.status.incarnation)
            if case .ack(_, _, let incarnation) = kind { incarnations.append(incarnation) }
            return incarnations.max()
        }
    }

    /// The timers a detector asks its shell to start; the shell calls `onTimer` when one fires. Timers are
    /// never cancelled: one that fires after it stopped mattering is ignored.
    public enum Timer: Hashable, Sendable {
        /// The next protocol period starts: close the last probe and probe the next member.
        case protocolPeriod
        /// The direct probe numbered `sequence` got no ack in time: probe indirectly.
        case probeTimeout(sequence: UInt64)
        /// This node relays the probe numbered `sequence`: if no ack came, nack the prober.
        case relayTimeout(sequence: UInt64)
        /// A suspicion of `node` may have run its course: declare it dead if it was not refuted.
        case suspicionTimeout(node: NodeID)
        /// Push queued updates to a few members, then again after the gossip interval.
        case gossip
    }

    /// What a detector asks its shell to do, in order.
    public enum Directive: Hashable, Sendable {
        case send(Message, to: NodeID)
        case startTimer(Timer, afterMilliseconds: UInt64)
        /// A member's state changed in this node's view: tell the coordinator (see `FailureDetector`).
        case statusChanged(StatusChange)
        /// An input was refused (over a limit, or malformed): one line for the operator's log.
        case rejected(FailureDetectionError)
    }
}
