import CairnCore

extension Transfer {
    /// What a batch carries forward: a contiguous stretch of the scan, or writes forwarded after the scan passed them.
    public enum BatchProgress: Hashable, Sendable {
        /// Every key of the partition after the previous acknowledged key, through `through`, is in the batch
        /// (as the sender's snapshot held them).
        case scanned(through: [UInt8])
        /// Keys written at the old owner after the scan had passed them (not contiguous).
        case forwarded
    }

    /// What the two sides of a transfer say to each other. Every handler is idempotent, so duplicated,
    /// delayed or lost messages are safe: the sender asks again until it is answered.
    public enum Message: Hashable, Sendable {
        /// The sender starts or resumes the transfer after `resumeAfter` (its last acknowledged key, nil: from
        /// the start); the receiver answers with `opened`.
        case open(ID, resumeAfter: [UInt8]?)
        /// How far the receiver has durably merged the scan (nil: nothing yet), for the sender's log and listing:
        /// the sender resumes from its own record, the only one that knows when it had to start over.
        case opened(ID, mergedThrough: [UInt8]?)
        /// Copies to merge; acknowledged with `ack` once merged and durable. `sequence` is unique per sender
        /// run (its start counter in the high 32 bits), so a late ack of an earlier batch never passes for
        /// the ack of a later one.
        case batch(ID, sequence: UInt64, progress: BatchProgress, entries: [Entry])
        case ack(ID, sequence: UInt64, progress: BatchProgress)
        /// Everything is acknowledged and forwarded: the receiver forgets its progress record and says `finished`.
        case finish(ID)
        case finished(ID)
    }

    /// Timers a transfer asks its shell to start; the shell hands them back to `onTimer` when they fire.
    public enum Timer: Hashable, Sendable {
        /// No answer to the `attempt`-th request of a transfer yet: ask again (a stale attempt is ignored).
        case retry(ID, attempt: UInt64)
        /// The throttle's bucket has refilled enough to send again.
        case throttle
    }

    /// What a transfer asks its shell to do, in order; the shell stops at the first that fails, so a batch is
    /// acknowledged only after its copies and progress record were stored.
    public enum Directive: Hashable, Sendable {
        case send(to: NodeID, Message)
        /// Merge each entry into the stored copy of its key (`Transfer.merged`: never an overwrite), then make
        /// the table durable.
        case mergeCopies(table: String, partition: Int, entries: [Entry], policy: ConflictPolicy)
        /// Store a transfer's progress record durably (replacing the previous one of that side).
        case recordProgress(ProgressRecord)
        case removeProgress(ID, role: Role)
        /// Remember durably that `key` was written after the scan passed it, so a restarted sender still forwards it.
        case recordDirty(ID, key: [UInt8])
        case clearDirty(ID, key: [UInt8])
        /// Forget every dirty key of a transfer (its scan starts over).
        case clearAllDirty(ID)
        /// The new owner has everything: remove every copy of the partition from this node.
        case dropPartition(table: String, partition: Int)
        case startTimer(Timer, afterMilliseconds: UInt64)
        /// Something the operator should know: one line.
        case log(String)
    }

    /// What one side of a transfer keeps durably: the last key acknowledged (sender) or merged (receiver).
    public struct ProgressRecord: Hashable, Sendable {
        public var id: ID
        public var role: Role
        public var lastKey: [UInt8]?

        public init(id: ID, role: Role, lastKey: [UInt8]?) {
            self.id = id
            self.role = role
            self.lastKey = lastKey
        }
    }

    /// Whether the sender's side handles a message (`opened`, `ack`, `finished`); the receiver handles the rest.
    public static func isForSender(_ message: Message) -> Bool {
        switch message {
        case .opened, .ack, .finished: true
        case .open, .batch, .finish: false
        }
    }

    /// The reads a sender needs from its node's storage, synchronous as the core's other reads are. A storage
    /// failure is thrown, never taken for an empty partition or an absent key.
    public protocol StorageView {
        /// The stored copies of `partition` in key order, after `after` (from the start when nil): at most
        /// `keysMax` of them and, past the first, at most `bytesMax` bytes.
        func scanPartition(table: String, partition: Int, after: [UInt8]?, keysMax: Int, bytesMax: Int) throws -> [Entry]
        /// The stored copy of one key, or nil when absent.
        func load(table: String, key: [UInt8]) throws -> [UInt8]?
    }
}
