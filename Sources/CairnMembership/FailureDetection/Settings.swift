import Foundation

extension FailureDetector {
    /// The detector's timings and limits, with the defaults of HashiCorp's memberlist LAN profile, which
    /// Lifeguard was measured with. Every probe timing is scaled by `1 + localHealth` (Lifeguard's local health
    /// multiplier), so a node that is itself slow probes less eagerly instead of suspecting healthy peers.
    public struct Settings: Hashable, Sendable {
        /// One probe per protocol period, in milliseconds (before local-health scaling).
        public var protocolPeriodMilliseconds: UInt64 = 1_000
        /// A direct probe unanswered this long goes indirect, in milliseconds (before local-health scaling).
        /// Below the protocol period, which leaves the rest of the period for the indirect probes.
        public var probeTimeoutMilliseconds: UInt64 = 400
        /// Relays asked to probe a member that missed its direct probe (SWIM's k).
        public var indirectProbeCount = 3
        /// While updates are queued, they are also pushed this often to `gossipFanout` members, in
        /// milliseconds (memberlist's gossip interval), so news does not wait for the next probe.
        public var gossipIntervalMilliseconds: UInt64 = 200
        /// Members each gossip push goes to (0 spreads updates on probe traffic alone, as plain SWIM does).
        public var gossipFanout = 3
        /// Most membership updates piggybacked on one message; more in a received message is refused.
        public var piggybackUpdatesMax = 8
        /// Each update is piggybacked `retransmitMultiplier × ⌈log10(members + 1)⌉` times, then dropped.
        public var retransmitMultiplier = 4
        /// Most members one detector tracks (itself excluded).
        public var membersMax = 4_096
        /// Most probes one node relays for others at once; more ping-requests are refused.
        public var relayedProbesMax = 256
        /// Lifeguard's local health multiplier saturates here (0 turns local health awareness off).
        public var localHealthMax = 8
        /// The shortest suspicion lasts `suspicionMultiplier × max(1, log10(members + 1))` protocol periods.
        public var suspicionMultiplier = 4
        /// The longest suspicion (one nobody confirms) is this many times the shortest.
        public var suspicionMaxMultiplier = 6
        /// Independent confirmations that shrink a suspicion to its shortest (Lifeguard's K); fewer when the
        /// cluster has fewer other members.
        public var suspicionConfirmationsMax = 3

        public init() {}

        /// Throws `settingInvalid` naming the first setting out of its range.
        public func check() throws(FailureDetectionError) {
            func require(_ condition: Bool, _ detail: @autoclosure () -> String) throws(FailureDetectionError) {
                if !condition { throw .settingInvalid(detail()) }
            }
            try require(
                (10...3_600_000).contains(protocolPeriodMilliseconds),
                "protocolPeriodMilliseconds (\(protocolPeriodMilliseconds)) must be within 10…3600000")
            try require(
                probeTimeoutMilliseconds >= 1 && probeTimeoutMilliseconds < protocolPeriodMilliseconds,
                "probeTimeoutMilliseconds (\(probeTimeoutMilliseconds)) must be at least 1 and below protocolPeriodMilliseconds (\(protocolPeriodMilliseconds))")
            try require(
                (10...3_600_000).contains(gossipIntervalMilliseconds),
                "gossipIntervalMilliseconds (\(gossipIntervalMilliseconds)) must be within 10…3600000")
            try require((0...16).contains(gossipFanout), "gossipFanout (\(gossipFanout)) must be within 0…16")
            try require((0...16).contains(indirectProbeCount), "indirectProbeCount (\(indirectProbeCount)) must be within 0…16")
            try require((1...64).contains(piggybackUpdatesMax), "piggybackUpdatesMax (\(piggybackUpdatesMax)) must be within 1…64")
            try require((1...32).contains(retransmitMultiplier), "retransmitMultiplier (\(retransmitMultiplier)) must be within 1…32")
            try require((1...100_000).contains(membersMax), "membersMax (\(membersMax)) must be within 1…100000")
            try require((0...100_000).contains(relayedProbesMax), "relayedProbesMax (\(relayedProbesMax)) must be within 0…100000")
            try require((0...64).contains(localHealthMax), "localHealthMax (\(localHealthMax)) must be within 0…64")
            try require((1...100).contains(suspicionMultiplier), "suspicionMultiplier (\(suspicionMultiplier)) must be within 1…100")
            try require((1...100).contains(suspicionMaxMultiplier), "suspicionMaxMultiplier (\(suspicionMaxMultiplier)) must be within 1…100")
            try require((0...32).contains(suspicionConfirmationsMax), "suspicionConfirmationsMax (\(suspicionConfirmationsMax)) must be within 0…32")
        }

        /// The shortest and longest suspicion for a cluster of `memberCount` nodes (this one included), in
        /// milliseconds, before local-health scaling of the protocol period.
        public func suspicionTimeoutBoundsMilliseconds(memberCount: Int) -> (min: UInt64, max: UInt64) {
            let nodeScale = max(1, log10(Double(max(1, memberCount))))
            let shortest = UInt64((Double(suspicionMultiplier) * nodeScale * Double(protocolPeriodMilliseconds)).rounded())
            return (shortest, shortest * UInt64(suspicionMaxMultiplier))
        }

        /// Lifeguard's dynamic suspicion timeout: the longest with no confirmation, shrinking logarithmically to
        /// the shortest as `confirmations` independent suspicions arrive (from other nodes than the first).
        public func suspicionTimeoutMilliseconds(memberCount: Int, confirmations: Int) -> UInt64 {
            let (shortest, longest) = suspicionTimeoutBoundsMilliseconds(memberCount: memberCount)
            let expected = min(suspicionConfirmationsMax, memberCount - 2)
            guard expected >= 1 else { return shortest }
            let fraction = log(Double(confirmations) + 1) / log(Double(expected) + 1)
            let timeout = Double(longest) - fraction * Double(longest - shortest)
            return max(shortest, UInt64(max(0, timeout).rounded()))
        }

        /// Times each update is piggybacked before it is dropped, in a cluster of `memberCount` nodes.
        public func retransmitLimit(memberCount: Int) -> Int {
            retransmitMultiplier * Int(log10(Double(memberCount + 1)).rounded(.up))
        }
    }
}
