import CairnCore

extension FailureDetector {
    /// A member's state as one node sees it, with the incarnation it was stated at.
    ///
    /// Statuses are totally ordered, so gossip applies in any order and every node converges on the same
    /// view: `alive(i) < suspect(i) < dead(i) < alive(i+1)`. Only a member itself raises its incarnation, to
    /// refute a suspicion or a death at its current one; so a newer incarnation always wins, and at one
    /// incarnation the worse state wins.
    public struct MemberStatus: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// The three states of SWIM, in order of precedence at one incarnation.
        public enum State: Int, Hashable, Sendable, Comparable, CustomStringConvertible {
            case alive = 0
            case suspect = 1
            case dead = 2

            public static func < (left: State, right: State) -> Bool { left.rawValue < right.rawValue }
            public var description: String {
                switch self {
                case .alive: "alive"
                case .suspect: "suspect"
                case .dead: "dead"
                }
            }
        }

        public var state: State
        public var incarnation: UInt64

        public init(_ state: State, incarnation: UInt64) {
            self.state = state
            self.incarnation = incarnation
        }

        public static func alive(_ incarnation: UInt64) -> MemberStatus { MemberStatus(.alive, incarnation: incarnation) }
        public static func suspect(_ incarnation: UInt64) -> MemberStatus { MemberStatus(.suspect, incarnation: incarnation) }
        public static func dead(_ incarnation: UInt64) -> MemberStatus { MemberStatus(.dead, incarnation: incarnation) }

        /// True when `self` replaces `other`: a newer incarnation, or the same one in a worse state.
        public func supersedes(_ other: MemberStatus) -> Bool { other < self }

        public static func < (left: MemberStatus, right: MemberStatus) -> Bool {
            (left.incarnation, left.state.rawValue) < (right.incarnation, right.state.rawValue)
        }

        public var description: String { "\(state)(\(incarnation))" }
    }

    /// One piggybacked statement: `node` has `status`, as `origin` said (the origin of a suspicion counts as
    /// one independent confirmation of it).
    public struct MemberUpdate: Hashable, Sendable, CustomStringConvertible {
        public var node: NodeID
        public var status: MemberStatus
        public var origin: NodeID

        public init(node: NodeID, status: MemberStatus, origin: NodeID) {
            self.node = node
            self.status = status
            self.origin = origin
        }

        public var description: String { "\(node) \(status) by \(origin)" }
    }

    /// A member's state changed in this node's view (or the member was first seen): the hook for
    /// coordinators, which avoid a suspected or dead node and give its writes to fallbacks with hints.
    public struct StatusChange: Hashable, Sendable, CustomStringConvertible {
        public var node: NodeID
        /// Nil when the member was first seen.
        public var previous: MemberStatus?
        public var current: MemberStatus

        public init(node: NodeID, previous: MemberStatus?, current: MemberStatus) {
            self.node = node
            self.previous = previous
            self.current = current
        }

        public var description: String { "\(node): \(previous.map { "\($0)" } ?? "new") → \(current)" }
    }
}
