import CairnCore

extension Transfer.Sender {
    /// What a sender does next with one transfer.
    enum Phase: Hashable, Sendable {
        case queued, opening, scanning, forwarding, finishing, done
    }

    /// The batch a transfer waits for an ack of: its sequence, what it carries forward, and each key with the
    /// dirty generation it was read at (0 for a scanned key).
    struct InFlight: Hashable, Sendable {
        var sequence: UInt64
        var progress: Transfer.BatchProgress
        var keys: [[UInt8]: UInt64]
        var bytes: Int
    }

    /// One outgoing transfer's state.
    struct Outgoing: Hashable, Sendable {
        var phase = Phase.queued
        var lastAcked: [UInt8]?
        var inFlight: InFlight?
        /// Numbers each request, so a retry timer of an answered request is ignored.
        var attempt: UInt64 = 0
        /// Keys written behind the scan, each with the generation of its latest write.
        var dirty: [[UInt8]: UInt64] = [:]
        var generation: UInt64 = 0
        var stalled: String?
        var keys = 0
        var bytes = 0
        var batchesResent = 0

        /// Counts against `concurrentTransfersMax`.
        var isActive: Bool { phase != .queued && phase != .done }

        /// Whether a write to `key` is behind the scan, so the scan will not read it again: any key before the
        /// scan's position is known (queued with no record, or opening from the start, is ahead of it all),
        /// every key once the scan is done.
        func scanHasPassed(_ key: [UInt8]) -> Bool {
            switch phase {
            case .done: return false
            case .forwarding, .finishing: return true
            case .queued, .opening, .scanning:
                var position = lastAcked
                if case .scanned(let through)? = inFlight?.progress { position = Transfer.later(position, through) }
                guard let position else { return false }
                return !Transfer.precedes(position, key)
            }
        }

        mutating func markDirty(_ key: [UInt8]) {
            generation += 1
            dirty[key] = generation
        }

        /// Forgets the dirty keys and the scan's position: the scan reads every key again, once the retry timer
        /// of the new attempt fires (any batch in flight and its ack are void).
        mutating func startOver() {
            dirty = [:]
            lastAcked = nil
            inFlight = nil
            if phase == .forwarding || phase == .finishing { phase = .scanning }
            attempt += 1
        }

        func progress(_ id: Transfer.ID) -> Transfer.Progress {
            let status: Transfer.Status =
                if let stalled { .stalled(stalled) } else {
                    switch phase {
                    case .queued: .queued
                    case .opening: .opening
                    case .scanning: .scanning
                    case .forwarding: .forwarding
                    case .finishing: .finishing
                    case .done: .done
                    }
                }
            return Transfer.Progress(
                id: id, role: .sender, status: status, keys: keys, bytes: bytes, lastKey: lastAcked,
                batchesResent: batchesResent, dirtyKeys: dirty.count)
        }
    }
}
