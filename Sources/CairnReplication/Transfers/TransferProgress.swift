import CairnCore

extension Transfer {
    /// Where one transfer stands, as an admin command will list it.
    public enum Status: Hashable, Sendable, CustomStringConvertible {
        /// Waiting for a free slot under `concurrentTransfersMax`.
        case queued
        /// Asking the receiver how far it got.
        case opening
        /// Streaming the partition's key range.
        case scanning
        /// The scan is acknowledged; forwarding keys written behind it.
        case forwarding
        /// Everything acknowledged; waiting for the receiver to close its side.
        case finishing
        /// The receiver has everything; the old copy is dropped.
        case done
        /// Receiving (the receiver's side of an open transfer).
        case receiving
        /// The last storage call failed (named); retried on the next timer.
        case stalled(String)

        public var description: String {
            switch self {
            case .queued: "queued"
            case .opening: "opening"
            case .scanning: "scanning"
            case .forwarding: "forwarding"
            case .finishing: "finishing"
            case .done: "done"
            case .receiving: "receiving"
            case .stalled(let reason): "stalled: \(reason)"
            }
        }
    }

    /// One transfer's progress on one node: which partition, between which peers, how much went over, where
    /// the scan stands and what it is doing.
    public struct Progress: Hashable, Sendable {
        public var id: ID
        public var role: Role
        public var status: Status
        /// Keys and bytes sent (sender) or merged (receiver), counting acknowledged batches only.
        public var keys: Int
        public var bytes: Int
        /// The last key acknowledged (sender) or durably merged (receiver).
        public var lastKey: [UInt8]?
        /// Batches sent again after a lost message or a restart.
        public var batchesResent: Int
        /// Keys written behind the scan and not yet acknowledged.
        public var dirtyKeys: Int
    }

    /// The moves of a committed plan, for the code that routes around a node leaving: a hint for a node that
    /// left goes to the partition's new owner (`newOwner(ofPartition:)`), not to a node that will never take it.
    public struct Plan: Hashable, Sendable {
        public private(set) var moves: [ID]

        public init(moves: [ID]) { self.moves = moves.sorted() }

        /// The node a partition moves to under this plan, or nil when it does not move. Partitions are the same
        /// for every table, so any table's move answers.
        public func newOwner(ofPartition partition: Int) -> NodeID? {
            moves.first { $0.partition == partition }?.to
        }
    }
}

/// A token bucket over injected time: `rate` bytes per second, holding at most one second's worth. A sender may
/// send while the bucket is not in debt; each send takes its bytes (possibly into debt), so over any interval
/// of T ms the bytes sent stay within rate × T / 1000 + one second's burst + one batch.
struct TokenBucket: Hashable, Sendable {
    let bytesPerSecond: Int
    private(set) var tokens: Double
    private var lastMilliseconds: UInt64

    init(bytesPerSecond: Int, nowMilliseconds: UInt64) {
        precondition(bytesPerSecond >= 1, "a throttle passes at least one byte per second")
        self.bytesPerSecond = bytesPerSecond
        self.tokens = Double(bytesPerSecond)
        self.lastMilliseconds = nowMilliseconds
    }

    mutating func refill(nowMilliseconds: UInt64) {
        guard nowMilliseconds > lastMilliseconds else { return }
        tokens = min(Double(bytesPerSecond), tokens + Double(nowMilliseconds - lastMilliseconds) * Double(bytesPerSecond) / 1_000)
        lastMilliseconds = nowMilliseconds
    }

    var canSend: Bool { tokens >= 0 }

    mutating func take(_ bytes: Int) { tokens -= Double(bytes) }

    /// Milliseconds until the debt is paid off (at least 1).
    var millisecondsUntilClear: UInt64 {
        max(1, UInt64((-tokens * 1_000 / Double(bytesPerSecond)).rounded(.up)))
    }
}
